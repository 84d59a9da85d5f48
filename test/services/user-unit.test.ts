// The server path without root: an unprivileged user's `connect` installs a systemd user unit,
// run by their user manager (user@UID.service, kept alive by lingering). systemd-box masks logind;
// here it is unmasked and started inside the box, as a real server has it. Then the orchestrator
// upgrades itself during a run, from the sandbox registry in the same box (the user's .npmrc
// points there, as an operator's would).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownVersion, shiftedVersion } from '../support/orchestrator-package.ts';
import {
  addUser,
  describeInBox,
  installCli,
  NODE,
  ROOT,
  SIM_BIN,
  startBox,
  startLogind,
  startSandboxIn,
  waitFor,
  type Box,
  type ExecOptions,
  type SandboxInBox,
} from './box.ts';
import {
  claimedRun,
  enrollmentCode,
  orchestrator,
  sampleWorkers,
  unitState,
  workerRunning,
} from './support.ts';

describeInBox('systemd user unit, lingering', () => {
  let box: Box;
  let sandbox: SandboxInBox;
  let bob: { user: string; uid: number; home: string };
  let asBob: ExecOptions;
  let workerId = '';
  let newVersion = '';

  beforeAll(async () => {
    box = await startBox('user');
    newVersion = shiftedVersion(await ownVersion(), 1, 'services');
    await startLogind(box);
    bob = await addUser(box, 'bob');
    asBob = {
      user: 'bob',
      env: { XDG_RUNTIME_DIR: `/run/user/${bob.uid}`, PIPEDAI_WORKER_BIN: SIM_BIN },
    };
    await box.exec(['loginctl', 'enable-linger', 'bob']);
    [sandbox] = await Promise.all([
      startSandboxIn(box, { registry: true }),
      installCli(box),
      waitFor('bob’s user manager', async () =>
        (
          await box.exec(['systemctl', 'is-active', `user@${bob.uid}.service`], {
            allowFail: true,
          })
        ).stdout.trim() === 'active'
          ? true
          : null,
      ),
    ]);
    const registry = sandbox.registryUrl as string;
    await box.exec(
      [NODE, join(ROOT, 'test/services/fixtures/publish-orchestrator.ts'), registry, newVersion],
      { timeoutMs: 120_000 },
    );
    await box.exec(
      ['sh', '-c', `printf 'registry=${registry}/\\nupdate-notifier=false\\n' > ~/.npmrc`],
      { user: 'bob' },
    );
    // The publish alone may take 120 s: the hook's budget covers it and the boot before it (the
    // config's 120 s for the whole hook ran out under a load of 20 on 2 cores).
  }, 300_000);
  afterAll(async () => {
    await box?.stop();
  });

  it('(b) an unprivileged user’s connect installs a user unit that their lingering manager runs', async () => {
    const connect = await orchestrator(
      box,
      'bob',
      [
        'connect',
        '--token',
        await enrollmentCode(sandbox),
        '--api-url',
        sandbox.apiUrl,
        '--no-open',
      ],
      asBob,
    );
    const unitPath = `${bob.home}/.config/systemd/user/pipedai-orchestrator.service`;
    expect(connect.stdout).toContain(`wrote ${unitPath}`);
    // Lingering is on: no hint to enable it.
    expect(connect.stdout).not.toContain('enable-linger');
    const unit = await readFile(box.path(unitPath), 'utf8');
    expect(unit).toContain(`\nEnvironment="PIPEDAI_HOME=${bob.home}/.pipedai"\n`);
    expect(unit).not.toMatch(/\nUser=/);
    await waitFor('the user unit active', async () =>
      (await unitState(box, ['--user'], asBob)).activeState === 'active' ? true : null,
    );
    workerId = (await workerRunning(box, 'bob', asBob)).id;
    const status = JSON.parse(
      (await orchestrator(box, 'bob', ['status', '--json'], asBob)).stdout,
    ) as {
      service: { installed: boolean; running: boolean; detail: string };
    };
    expect(status.service).toMatchObject({ installed: true, running: true });
    expect(status.service.detail).not.toContain('system unit');
  });

  it('(e) systemctl --user restart during a run: handed over, adopted, the run succeeds', async () => {
    const { pid } = await workerRunning(box, 'bob', asBob);
    const run = await claimedRun(sandbox, workerId, 5_000);
    const sampler = sampleWorkers(box);
    await box.exec(['systemctl', '--user', 'restart', 'pipedai-orchestrator'], asBob);
    expect((await workerRunning(box, 'bob', asBob)).pid).toBe(pid);
    await waitFor('the run finished', async () => (await run.status()) !== 'running', 60_000);
    const counts = await sampler.stop();
    expect(await run.status()).toBe('succeeded');
    expect(counts.filter((n) => n !== 1)).toEqual([]);
  });

  it('(e) upgrade --self during a run: the new version comes up under systemd, adopts the worker, the run succeeds', async () => {
    const before = await unitState(box, ['--user'], asBob);
    const { pid } = await workerRunning(box, 'bob', asBob);
    const run = await claimedRun(sandbox, workerId, 15_000);
    const sampler = sampleWorkers(box);
    const began = Date.now();
    const upgrade = await orchestrator(box, 'bob', ['upgrade', '--self', '--version', newVersion], {
      ...asBob,
      timeoutMs: 150_000,
    });
    const upgradeMs = Date.now() - began;
    expect(upgrade.stdout).toContain(newVersion);
    const after = await unitState(box, ['--user'], asBob);
    expect(after.activeState).toBe('active');
    expect(after.mainPid).not.toBe(before.mainPid);
    expect((await workerRunning(box, 'bob', asBob)).pid).toBe(pid);
    await waitFor('the run finished', async () => (await run.status()) !== 'running', 60_000);
    const counts = await sampler.stop();
    expect(await run.status()).toBe('succeeded');
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    console.log(
      `(e) self-upgrade to ${newVersion} during a 15 s run: new daemon answering after ${(upgradeMs / 1000).toFixed(1)} s; ${counts.length} samples, all exactly 1 worker`,
    );
  });
});
