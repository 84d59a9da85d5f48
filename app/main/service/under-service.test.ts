import { describe, expect, it } from 'vitest';
import { LAUNCHD_LABEL } from './launchd.ts';
import { NSSM_INFINITE, stopTimeouts } from './stop-timeouts.ts';
import { jobTypeOf, runningUnder, signalIntent } from './under-service.ts';
import type { RunResult } from './types.ts';

describe('running under a service manager', () => {
  it('reads the unit’s PIPEDAI_SERVICE_MANAGER, else what systemd and launchd set, else none', () => {
    expect(runningUnder({ PIPEDAI_SERVICE_MANAGER: 'nssm' }, false, LAUNCHD_LABEL)).toBe('nssm');
    expect(runningUnder({ INVOCATION_ID: 'abc' }, false, LAUNCHD_LABEL)).toBe('systemd-user');
    expect(runningUnder({ INVOCATION_ID: 'abc' }, true, LAUNCHD_LABEL)).toBe('systemd-system');
    expect(runningUnder({ XPC_SERVICE_NAME: LAUNCHD_LABEL }, false, LAUNCHD_LABEL)).toBe('launchd');
    expect(
      runningUnder({ XPC_SERVICE_NAME: 'com.apple.Terminal' }, false, LAUNCHD_LABEL),
    ).toBeNull();
    expect(runningUnder({ PIPEDAI_SERVICE_MANAGER: 'cron' }, false, LAUNCHD_LABEL)).toBeNull();
  });

  it('finds our unit’s job in `systemctl list-jobs --no-legend`', () => {
    const out =
      '  42 other.service start waiting\n 117 pipedai-orchestrator.service restart running\n';
    expect(jobTypeOf(out)).toBe('restart');
    expect(jobTypeOf('')).toBeNull();
  });

  it('a SIGTERM under systemd is a hand-off only while a restart job runs; anything unclear drains', async () => {
    const calls: string[][] = [];
    const answering =
      (r: Partial<RunResult> | Error) =>
      async (cmd: string, args: readonly string[]): Promise<RunResult> => {
        calls.push([cmd, ...args]);
        if (r instanceof Error) throw r;
        return { code: 0, stdout: '', stderr: '', ...r };
      };
    const job = (type: string) => ({ stdout: `9 pipedai-orchestrator.service ${type} running\n` });
    expect(await signalIntent('systemd-user', answering(job('restart')))).toBe('handoff');
    expect(calls[0]).toEqual([
      'systemctl',
      '--user',
      'list-jobs',
      'pipedai-orchestrator.service',
      '--no-legend',
    ]);
    expect(await signalIntent('systemd-system', answering(job('stop')))).toBe('drain');
    expect(calls[1]?.[1]).toBe('list-jobs'); // no --user for the system unit
    expect(await signalIntent('systemd-system', answering({ stdout: '' }))).toBe('drain'); // systemctl kill
    expect(await signalIntent('systemd-user', answering({ code: 1 }))).toBe('drain');
    expect(await signalIntent('systemd-user', answering(new Error('ENOENT')))).toBe('drain');
    expect(await signalIntent('launchd', answering(job('restart')))).toBe('drain');
    expect(await signalIntent(null, answering(job('restart')))).toBe('drain');
    expect(calls).toHaveLength(5); // launchd and a terminal ask nothing
  });
});

describe('stop timeouts', () => {
  it('no ceiling: no manager may cut a drain short; a ceiling: that plus a minute', () => {
    expect(stopTimeouts(null)).toEqual({
      systemd: 'infinity',
      launchdSeconds: 0,
      nssmMs: NSSM_INFINITE,
    });
    expect(stopTimeouts(90 * 60_000)).toEqual({
      systemd: '5460s',
      launchdSeconds: 5460,
      nssmMs: 5_460_000,
    });
  });
});
