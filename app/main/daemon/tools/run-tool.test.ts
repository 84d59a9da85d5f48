import { describe, expect, it } from 'vitest';
import { createToolRunner, describeFailure, planSpawn, quoteForCmd } from './run-tool.ts';

describe('tool runner', () => {
  it('runs a real command, captures bounded output and scrubs secrets', async () => {
    const run = createToolRunner('linux');
    const secret = 'wrk_supersecretvalue123';
    const r = await run({
      command: process.execPath,
      args: [
        '-e',
        `process.stdout.write('x'.repeat(200000)); console.error('bad token ${secret}'); process.exit(3)`,
      ],
      timeoutMs: 10_000,
      secrets: [secret],
    });
    expect(r.code).toBe(3);
    expect(r.stdout.length).toBeLessThan(70_000);
    expect(r.stdout).toContain('(output truncated)');
    expect(r.stderr).not.toContain(secret);
    expect(describeFailure('register', r)).toMatch(
      /^register failed \(exit 3\): .*bad token wrk_s…/,
    );
  });

  it('kills a command that outlives its timeout', async () => {
    const r = await createToolRunner('linux')({
      command: process.execPath,
      args: ['-e', 'setInterval(()=>{},1000)'],
      timeoutMs: 300,
    });
    expect(r.timedOut).toBe(true);
    expect(describeFailure('npm install', r)).toBe('npm install timed out');
  });

  it('reports a missing binary as a failure, not a crash', async () => {
    const r = await createToolRunner('linux')({
      command: '/nonexistent/pipedai-worker',
      args: ['version'],
      timeoutMs: 5000,
    });
    expect(r.code).toBeNull();
    expect(r.stderr).toContain('ENOENT');
  });

  it('spawns directly on POSIX and through cmd.exe with every argument escaped on Windows', () => {
    const cmd = {
      command: 'pipedai-worker',
      args: ['run', '--config', 'C:\\Users\\First Last\\w.json'],
      timeoutMs: 1,
    };
    expect(planSpawn('darwin', cmd)).toMatchObject({
      file: 'pipedai-worker',
      args: ['run', '--config', 'C:\\Users\\First Last\\w.json'],
    });
    const win = planSpawn('win32', cmd);
    expect(win.file).toBe('cmd.exe');
    expect(win.options.windowsVerbatimArguments).toBe(true);
    expect(win.args).toEqual([
      '/d',
      '/s',
      '/c',
      '"pipedai-worker ^^^"run^^^" ^^^"--config^^^" ^^^"C:\\Users\\First^^^ Last\\w.json^^^""',
    ]);
  });

  it('quotes hostile strings so cmd.exe cannot interpret them', () => {
    expect(quoteForCmd('a&calc')).toBe('^^^"a^^^&calc^^^"');
    expect(quoteForCmd('%PATH%')).toBe('^^^"^^^%PATH^^^%^^^"');
    expect(quoteForCmd('say "hi"\\')).toBe('^^^"say^^^ \\^^^"hi\\^^^"\\\\^^^"');
  });
});
