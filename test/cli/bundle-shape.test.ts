// The CLI bundle's shape (esbuild's metafile of the real build options): what each command loads.
// `--version` loads nothing but the entry; `--help` loads no schema, HTTP or WebSocket library; `workers` and `logs` load
// zod (they parse answers) but neither got nor the daemon; only `start` carries the daemon.
import { build, type Metafile } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBundle } from '../../scripts/bundle-options.mjs';

const ROOT = join(import.meta.dirname, '../..');
let meta: Metafile;

/** Every source file of the outputs `file` imports statically, itself included. */
function staticInputs(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const out = meta.outputs[file];
  if (!out) throw new Error(`no output ${file}`);
  const inputs = new Set(Object.keys(out.inputs));
  for (const i of out.imports)
    if (i.kind === 'import-statement' && !i.external)
      for (const x of staticInputs(i.path, seen)) inputs.add(x);
  return inputs;
}

/** The output a source file became the entry of (a dynamic import() target, or the entry). */
function chunkOf(source: string): string {
  const hit = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === source);
  if (!hit) throw new Error(`no chunk for ${source}`);
  return hit[0];
}

const loads = (entries: string[]): string[] => {
  const all = new Set<string>();
  for (const e of entries) for (const x of staticInputs(chunkOf(e))) all.add(x);
  return [...all];
};
const packages = (inputs: string[]): string[] =>
  [...new Set(inputs.map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1]))].filter(
    (p): p is string => p !== undefined,
  );

beforeAll(async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const r = await build({
    ...(cliBundle(version) as object),
    absWorkingDir: ROOT,
    outdir: join(ROOT, 'dist'),
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  meta = r.metafile;
}, 120_000);

describe('the CLI bundle', () => {
  it('answers --version from the entry alone: no chunk, no package, no daemon module', () => {
    expect(loads(['cli/main.ts'])).toEqual(['cli/main.ts']);
    expect(meta.outputs['dist/cli.js']?.imports.filter((i) => !i.external)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ kind: 'import-statement' })]),
    );
  });

  it('shows --help (the command table) with commander only', () => {
    expect(packages(loads(['cli/main.ts', 'cli/index.ts']))).toEqual(['commander']);
  });

  it('runs connectivity without got or ws', () => {
    const p = packages(loads(['cli/main.ts', 'cli/index.ts', 'cli/commands/connectivity.ts']));
    expect(p).not.toContain('got');
    expect(p).not.toContain('ws');
  });

  it('runs workers and logs without got or the daemon (ws only when following)', () => {
    const inputs = loads([
      'cli/main.ts',
      'cli/index.ts',
      'cli/context.ts',
      'cli/commands/workers.ts',
    ]);
    expect(packages(inputs)).not.toContain('got');
    expect(packages(inputs)).not.toContain('ws');
    expect(inputs).not.toContain('app/main/daemon/daemon.ts');
    expect(inputs).not.toContain('app/main/daemon/orchestrator/index.ts');
  });

  it('needs no node_modules at run time: every package is bundled in', () => {
    const external = Object.values(meta.outputs).flatMap((o) =>
      o.imports
        .filter(
          (i) => i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path),
        )
        .map((i) => i.path),
    );
    // ws's optional native add-ons, required in a try.
    expect([...new Set(external)].sort()).toEqual(['bufferutil', 'utf-8-validate']);
  });
});
