// Under systemd (KillMode=process), a SIGTERM is `systemctl restart` or `systemctl stop`: the
// daemon asks `systemctl list-jobs` which. A restart hands the workers over at once (the daemon
// exits, the worker runs on, the next daemon adopts it); a stop drains them. `systemctl` is a
// stand-in here that answers what a file says (the real one is checked in systemd-box).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlClient, waitFor } from './support/control.ts';
import { spawnDaemon, type DaemonChild } from './support/daemon.ts';
import { createFixture, type Fixture, type FaultWorker } from './support/fixture.ts';
import { isLive, runProcessesByConfig } from './support/procfs.ts';
import { claimedRun, firstWorkerPid } from './support/runs.ts';

describe('fault: systemctl restart and stop of the service', () => {
  let fx: Fixture;
  const daemons: DaemonChild[] = [];

  beforeAll(async () => {
    fx = await createFixture({ workers: 1 });
  });
  afterAll(async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await fx?.cleanup();
  });

  it('a restart hands the running worker over at once; a stop waits for its run', async () => {
    const worker = fx.workers[0] as FaultWorker;
    const bin = join(fx.dir, 'fake-bin');
    const job = join(fx.dir, 'job');
    await mkdir(bin);
    await writeFile(
      join(bin, 'systemctl'),
      `#!/bin/sh\n[ "$2" = list-jobs ] || exit 1\necho "7 pipedai-orchestrator.service $(cat '${job}') running"\n`,
    );
    await chmod(join(bin, 'systemctl'), 0o755);
    const base = fx.env();
    const env = {
      ...base,
      PATH: [bin, base.PATH ?? ''].join(delimiter),
      PIPEDAI_SERVICE_MANAGER: 'systemd-user',
    };
    let daemon = await spawnDaemon(env);
    daemons.push(daemon);
    let api = controlClient(daemon.url, fx.localToken);
    const pid = await firstWorkerPid(api);
    const { status: runStatus } = await claimedRun(fx, worker.id, 10_000, 5);

    await writeFile(job, 'restart');
    const restartAt = Date.now();
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - restartAt).toBeLessThan(10_000); // no wait for the run
    expect(daemon.stderr()).toContain('handing 1 running worker(s) over');
    expect(await isLive(pid)).toBe(true);
    expect(await runStatus()).toBe('running');

    daemon = await spawnDaemon(env);
    daemons.push(daemon);
    api = controlClient(daemon.url, fx.localToken);
    await waitFor('the worker adopted', async () => (await api.workers())[0]?.local?.adopted);
    expect((await api.workers())[0]?.local?.pid).toBe(pid);

    await writeFile(job, 'stop');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    // The stop drained: the run finished before the daemon was gone.
    expect(await runStatus()).toBe('succeeded');
    expect((await runProcessesByConfig()).get(worker.configPath) ?? []).toEqual([]);
  });
});
