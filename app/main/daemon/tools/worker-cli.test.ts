import { describe, expect, it } from 'vitest';
import type { ToolCommand, ToolResult } from './run-tool.ts';
import { createWorkerCli } from './worker-cli.ts';

const res = (code: number, stdout = '', stderr = ''): ToolResult => ({
  code,
  signal: null,
  stdout,
  stderr,
  timedOut: false,
});

describe('worker CLI', () => {
  it('reads versions per the contract', async () => {
    const answers: Record<string, ToolResult> = {
      version: res(0, '1.4.2 (build abc)\n'),
      '--version': res(0, 'pipedai-worker\n1.4.2\n'),
    };
    const cli = createWorkerCli(async (c) => answers[c.args[0] ?? ''] ?? res(1), 'pipedai-worker');
    expect(await cli.version()).toBe('1.4.2');
    expect(await cli.reportedVersion()).toBe('1.4.2');
    const broken = createWorkerCli(async () => res(0, 'not a version'), 'pipedai-worker');
    expect(await broken.version()).toBeNull();
    const missing = createWorkerCli(async () => res(127), 'pipedai-worker');
    expect(await missing.reportedVersion()).toBe('unknown');
  });

  it('registers with the exact argv and AUTH_MODE, and never shows the token', async () => {
    const seen: ToolCommand[] = [];
    const token = 'wrk_0123456789abcdef';
    const cli = createWorkerCli(
      async (c) => (seen.push(c), res(1, '', `rejected ${token}`)),
      '/bin/pw',
      { PATH: '/x' },
    );
    const err = await cli
      .register({
        token,
        apiUrl: 'http://a',
        configPath: '/c/w.json',
        hostname: 'h-w',
        pool: false,
        authMode: 'claude-max',
      })
      .catch((e: Error) => e);
    expect(seen[0]?.args).toEqual([
      'register',
      '--token',
      token,
      '--api-url',
      'http://a',
      '--config',
      '/c/w.json',
      '--hostname',
      'h-w',
    ]);
    expect(seen[0]?.env?.AUTH_MODE).toBe('claude-max');
    expect(seen[0]?.secrets).toEqual([token]);
    expect(String(err)).toMatch(/worker registration failed \(exit 1\): rejected wrk_0…/);
    expect(String(err)).not.toContain(token);
    await expect(
      cli.register({
        token: 'pool_abcdefgh12345',
        apiUrl: 'http://a',
        configPath: '/c',
        hostname: 'h',
        pool: false,
        authMode: 'x',
      }),
    ).rejects.toThrow(/needs a wrk_… token, got pool_…/);
  });
});
