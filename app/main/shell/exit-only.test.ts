// What electron-store's dependency does with signals, and what the app's bundle does instead,
// in plain Node child processes (no Electron needed): atomically imports when-exit, which hooks
// SIGHUP and a dozen more at load and re-raises them; exit-only.ts, aliased in its place in the
// main bundle (electron.vite.config.ts), hooks none, so the app's own handlers decide.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const here = (p: string): string => JSON.stringify(new URL(p, import.meta.url).href);

/**
 * Runs `setup` (ESM) in a child that then handles SIGTERM, SIGINT and SIGHUP the way desktop.ts
 * does (a drain, here a line), sends itself SIGHUP, and reports. Resolves with its output and
 * how it ended.
 */
function run(setup: string): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const script = `
    ${setup}
    const foreign = ['SIGHUP', 'SIGTERM', 'SIGINT', 'SIGUSR2', 'SIGQUIT'].map((s) => process.listenerCount(s));
    process.stdout.write('foreign listeners ' + foreign.join(',') + '\\n');
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'])
      process.on(s, () => {
        process.stdout.write('drain on ' + s + '\\n');
        setTimeout(() => process.exit(0), 50);
      });
    process.kill(process.pid, 'SIGHUP');
    setTimeout(() => process.exit(3), 5000);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ out, signal }));
  });
}

describe("electron-store's signal hooks", () => {
  it('when-exit (through atomically) hooks signals at load; its re-raise still reaches handlers installed after it on POSIX', async () => {
    if (process.platform === 'win32') return; // there process.kill terminates: the reason for exit-only.ts
    const { out, signal } = await run(`await import('atomically');`);
    expect(out).toMatch(/^foreign listeners 1,1,1,1,1$/m);
    expect(out).toContain('drain on SIGHUP');
    expect(signal).toBeNull();
  });

  it('exit-only.ts hooks no signal, and still runs its callback at exit', async () => {
    const { out, signal } = await run(`
      const { default: whenExit } = await import(${here('./exit-only.ts')});
      whenExit(() => process.stdout.write('cleaned up at exit\\n'));
    `);
    expect(out).toMatch(/^foreign listeners 0,0,0,0,0$/m);
    expect(out).toContain('drain on SIGHUP');
    expect(out).toContain('cleaned up at exit');
    expect(signal).toBeNull();
  });
});
