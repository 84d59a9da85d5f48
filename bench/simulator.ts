// The worker simulator as one built file, made at bench start from the same sources as
// sandbox/bin/pipedai-worker. A real pipedai-worker ships as built JavaScript; run from its
// TypeScript sources, each start type-strips a dozen files, and 20 such starts on a 2-core
// machine would dominate every start and crash measure of both daemons alike.
import { build } from 'esbuild';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const WORKER_BIN_NAME = 'pipedai-worker';

/** Writes `<binDir>/pipedai-worker` (CommonJS, shebang `env node`); returns its path. */
export async function buildSimulator(repoRoot: string, binDir: string): Promise<string> {
  await mkdir(binDir, { recursive: true });
  const outfile = join(binDir, WORKER_BIN_NAME);
  await build({
    stdin: {
      contents: "import { runCli } from './main.ts';\nvoid runCli();\n",
      resolveDir: join(repoRoot, 'sandbox', 'worker'),
      sourcefile: 'pipedai-worker.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  });
  await chmod(outfile, 0o755);
  return outfile;
}
