// zod probes `new Function('')` when an object schema is built. Each case runs in a fresh Node
// process (a fresh module graph, as the page loads it) with `Function` counting constructions.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** `new Function` calls while importing `imports` in order and parsing one contract schema. */
function evalProbes(imports: string[]): number {
  const script = `
    let probes = 0;
    globalThis.Function = new Proxy(Function, {
      construct: (t, a) => (probes++, Reflect.construct(t, a)),
    });
    ${imports.map((m) => `await import(${JSON.stringify(new URL(m, import.meta.url).href)});`).join('\n')}
    const { IPC } = await import(${JSON.stringify(new URL('../shared/ipc.ts', import.meta.url).href)});
    const { LogFrame } = await import(${JSON.stringify(new URL('../shared/events.ts', import.meta.url).href)});
    LogFrame.parse({ kind: 'log', id: 'w', ts: 1, stream: 'out', line: IPC.frame });
    process.stdout.write(String(probes));
  `;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

describe('zod under the CSP', () => {
  it('imported first, the config keeps zod from ever calling new Function', () => {
    expect(evalProbes(['./zod-jitless.ts'])).toBe(0);
  });

  it('without it, building the contract schemas probes eval (what the CSP reported)', () => {
    expect(evalProbes([])).toBeGreaterThan(0);
  });
});
