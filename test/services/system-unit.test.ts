// The server path under a real systemd (tools/systemd-box), installed the way the README says:
// an unprivileged user runs `sudo pipedai-orchestrator connect --token …`. Then the daemon is
// crashed, stopped, restarted and rebooted during runs, and uninstalled; the sandbox API runs in
// the same box (its network is loopback only) and reports how each run ended.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addUser,
  BOX_PATH,
  describeInBox,
  installCli,
  SIM_BIN,
  startBox,
  startSandboxIn,
  waitFor,
  workerProcesses,
  type Box,
  type SandboxInBox,
} from './box.ts';
import {
  claimedRun,
  enrollmentCode,
  orchestrator,
  sampleWorkers,
  secretsIn,
  UNIT_FILE,
  unitState,
  walk,
  workerRunning,
} from './support.ts';

describeInBox('systemd system unit installed with sudo', () => {
  let box: Box;
  let sandbox: SandboxInBox;
  let alice: { user: string; uid: number; home: string };
  let workerId = '';
  let enrollment = '';
  const state = () => box.path(`${alice.home}/.pipedai`);
  const asAlice = (args: string[]) => orchestrator(box, 'alice', args);

  beforeAll(async () => {
    box = await startBox('system');
    [sandbox, alice] = await Promise.all([
      startSandboxIn(box),
      addUser(box, 'alice', { sudo: true }),
      installCli(box),
    ]).then(([s, a]) => [s, a] as const);
  });
  afterAll(async () => {
    await box?.stop();
  });

  it('(a) sudo connect: a system unit that runs as the user, on their state, with DESIGN.md modes', async () => {
    enrollment = await enrollmentCode(sandbox);
    // sudo resets the environment; the simulator stands in for the worker runtime.
    const connect = await box.exec(
      [
        'sudo',
        'env',
        `PIPEDAI_WORKER_BIN=${SIM_BIN}`,
        'pipedai-orchestrator',
        'connect',
        '--token',
        enrollment,
        '--api-url',
        sandbox.apiUrl,
        '--no-open',
      ],
      { user: 'alice' },
    );
    expect(connect.stdout).toContain(`wrote ${UNIT_FILE}`);
    const unit = await readFile(box.path(UNIT_FILE), 'utf8');
    expect(unit).toContain('\nUser=alice\n');
    expect(unit).toContain(`\nEnvironment="PIPEDAI_HOME=${alice.home}/.pipedai"\n`);
    expect(unit).toContain('\nKillMode=process\n');

    const main = await waitFor('the unit active', async () => {
      const s = await unitState(box);
      return s.activeState === 'active' && s.mainPid > 0 ? s.mainPid : null;
    });
    expect((await box.exec(['stat', '-c', '%U', `/proc/${main}`])).stdout.trim()).toBe('alice');
    workerId = (await workerRunning(box, 'alice')).id;

    // Everything under the state folder is alice's: 0700 folders, and the secrets 0600.
    const entries = await walk(state());
    expect(entries.filter((e) => e.uid !== alice.uid).map((e) => e.path)).toEqual([]);
    const modeOf = (rel: string) => entries.find((e) => e.path === `${state()}${rel}`)?.mode;
    for (const dir of ['', '/orchestrator', '/orchestrator/workers', '/logs', '/runs'])
      expect(modeOf(dir), dir).toBe(0o700);
    expect(modeOf('/orchestrator/credentials.json')).toBe(0o600);
    expect(modeOf('/orchestrator/manifest.json')).toBe(0o600);
    for (const e of entries.filter((e) => e.path.startsWith(`${state()}/orchestrator/workers/`)))
      expect(e.mode, e.path).toBe(0o600);
    // Nothing landed in root's home.
    expect((await box.exec(['test', '-e', '/root/.pipedai'], { allowFail: true })).code).toBe(1);

    // The user asks without sudo: status finds the system unit and the daemon.
    const status = JSON.parse((await asAlice(['status', '--json'])).stdout) as {
      service: { installed: boolean; running: boolean; detail: string };
      daemon: { pid: number } | null;
    };
    expect(status.service).toMatchObject({ installed: true, running: true });
    expect(status.service.detail).toContain('system unit');
    expect(status.daemon?.pid).toBe(main);
  });

  it('(c) SIGKILL of the daemon during a 30 s run: restarted, the run succeeds, one worker at every sample', async () => {
    const before = await unitState(box);
    const { pid: workerPid } = await workerRunning(box, 'alice');
    const run = await claimedRun(sandbox, workerId, 30_000);
    const sampler = sampleWorkers(box);
    const killedAt = Date.now();
    await box.exec(['systemctl', 'kill', '-s', 'KILL', '--kill-whom=main', 'pipedai-orchestrator']);
    const after = await waitFor('systemd restarting the daemon', async () => {
      const s = await unitState(box);
      return s.activeState === 'active' && s.mainPid !== before.mainPid && s.mainPid > 0 ? s : null;
    });
    const restartMs = Date.now() - killedAt;
    const adopted = await workerRunning(box, 'alice');
    const adoptedMs = Date.now() - killedAt;
    expect(adopted.pid).toBe(workerPid);
    await waitFor('the run finished', async () => (await run.status()) !== 'running', 90_000);
    const counts = await sampler.stop();
    expect(await run.status()).toBe('succeeded');
    expect(after.nRestarts).toBe(before.nRestarts + 1);
    expect(counts.length).toBeGreaterThan(20);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    console.log(
      `(c) daemon SIGKILLed: restarted by systemd in ${(restartMs / 1000).toFixed(1)} s, worker adopted after ${(adoptedMs / 1000).toFixed(1)} s; ${counts.length} samples, all exactly 1 worker`,
    );
  });

  it('(f) reboot while idle: the unit is active after boot with exactly one worker', async () => {
    const began = Date.now();
    await box.reboot();
    const bootMs = Date.now() - began;
    await waitFor('the unit active after boot', async () =>
      (await unitState(box)).activeState === 'active' ? true : null,
    );
    await workerRunning(box, 'alice');
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      counts.push((await workerProcesses(box)).length);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    console.log(`(f) idle reboot: back in ${(bootMs / 1000).toFixed(1)} s, 1 worker at 20 samples`);
  });

  it('(d) systemctl stop during a run drains it: the run succeeds, then the unit stops', async () => {
    const run = await claimedRun(sandbox, workerId, 4_000);
    const began = Date.now();
    await box.exec(['systemctl', 'stop', '--no-block', 'pipedai-orchestrator']);
    await waitFor(
      'the unit stopped',
      async () => ((await unitState(box)).activeState === 'inactive' ? true : null),
      90_000,
    );
    expect(await run.status()).toBe('succeeded');
    expect(await workerProcesses(box)).toEqual([]);
    console.log(`(d) stop drained a 4 s run: inactive after ${(Date.now() - began) / 1000} s`);
    await box.exec(['systemctl', 'start', 'pipedai-orchestrator']);
    await workerRunning(box, 'alice');
  });

  it('(g) the journal has the daemon’s lines and no token', async () => {
    const journal = (
      await box.exec(['journalctl', '-u', 'pipedai-orchestrator', '--no-pager', '-o', 'cat'])
    ).stdout;
    expect(journal).toMatch(/pipedai-orchestrator daemon listening on http:\/\/127\.0\.0\.1:/);
    const secrets = [enrollment, ...(await secretsIn(state()))];
    expect(secrets.length).toBeGreaterThan(2);
    for (const s of secrets) expect(journal.includes(s), 'a token in the journal').toBe(false);
  });

  it('(f) reboot during a run: the power-off drains it within the stop timeout, then it is back', async () => {
    const run = await claimedRun(sandbox, workerId, 4_000);
    const began = Date.now();
    // Past 60 s systemd-box kills the box: the drain must end well before.
    await box.reboot(60);
    const rebootMs = Date.now() - began;
    expect(await run.status()).toBe('succeeded');
    await workerRunning(box, 'alice');
    expect((await workerProcesses(box)).length).toBe(1);
    console.log(`(f) reboot during a 4 s run: drained and booted again in ${rebootMs / 1000} s`);
  });

  it('(h) uninstall stops and removes the unit, keeps the state; a second one is a no-op', async () => {
    const first = await box.exec(['sudo', 'pipedai-orchestrator', 'uninstall'], {
      user: 'alice',
    });
    expect(first.stdout).toContain(`removed ${UNIT_FILE}`);
    await waitFor('the unit gone', async () =>
      (await unitState(box)).activeState === 'inactive' ? true : null,
    );
    await waitFor('no worker left', async () => (await workerProcesses(box)).length === 0);
    expect((await box.exec(['test', '-e', UNIT_FILE], { allowFail: true })).code).toBe(1);
    expect(await secretsIn(state())).not.toEqual([]);
    const second = await box.exec(['sudo', 'pipedai-orchestrator', 'uninstall'], {
      user: 'alice',
    });
    expect(second.stdout).toContain(`${UNIT_FILE} was not installed`);
    // The state is still alice's after two root commands in it.
    expect((await walk(state())).filter((e) => e.uid !== alice.uid)).toEqual([]);
  });

  it('sudo start runs the daemon as the user behind sudo, on their state', async () => {
    await box.exec([
      'systemd-run',
      '--unit=sudo-start',
      'runuser',
      '-u',
      'alice',
      '--',
      'sudo',
      'env',
      // sudo's secure_path would find the machine's older node for the simulator's shebang.
      `PATH=${BOX_PATH}`,
      `PIPEDAI_WORKER_BIN=${SIM_BIN}`,
      'pipedai-orchestrator',
      'start',
      '--port',
      '0',
    ]);
    const daemon = await waitFor('the daemon started with sudo', async () => {
      const s = JSON.parse(
        (await asAlice(['status', '--json']).catch(() => ({ stdout: '{}' }))).stdout,
      ) as { daemon?: { pid: number } | null };
      return s.daemon?.pid ?? null;
    });
    expect((await box.exec(['stat', '-c', '%U', `/proc/${daemon}`])).stdout.trim()).toBe('alice');
    await workerRunning(box, 'alice');
    await box.exec(['systemctl', 'stop', 'sudo-start']);
    expect((await walk(state())).filter((e) => e.uid !== alice.uid)).toEqual([]);
  });
});
