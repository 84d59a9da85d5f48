// `upgrade --self` end to end: the CLI against a running daemon, npm a fake that records what it
// would install, and a stand-in for the service manager that starts the daemon again when it
// exits for the upgrade, running the "installed" version (the built CLI with another version).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../app/main/daemon/version.ts';
import {
  CLI,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  run,
  startChild,
  type Child,
} from './helpers.ts';

const NEXT = '0.99.0';

describe.runIf(process.platform === 'linux')('upgrade --self', { timeout: 120_000 }, () => {
  let tmp = '';
  let npmLog = '';
  let nextCli = '';
  let env: NodeJS.ProcessEnv = {};
  let daemon: Child | null = null;
  let port = 0;
  let stopping = false;
  const starts: string[] = [];

  const cli = (args: string[]) => run(process.execPath, [CLI, ...args], { env });
  const installed = (): string =>
    readFileSync(npmLog, 'utf8').includes(`@pipedai/orchestrator@${NEXT}`) ? nextCli : CLI;

  /** Restart=always: when the daemon exits 0 (a self-upgrade), start whatever is installed. */
  async function superviseDaemon(): Promise<void> {
    const bundle = installed();
    starts.push(bundle);
    const d = startChild(process.execPath, [bundle, 'start', '--port', '0'], { env });
    daemon = d;
    port = await listeningPort(d);
    void d.exited.then(({ code }) => {
      if (!stopping && code === 0) void superviseDaemon();
    });
  }

  beforeAll(async () => {
    await ensureBundles();
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'upgrade-self-'));
    npmLog = join(tmp, 'npm-argv.log');
    writeFileSync(npmLog, '');
    const fakeNpm = join(tmp, 'fake-npm');
    writeFileSync(fakeNpm, `#!/bin/sh\n(IFS='\t'; printf '%s\\n' "$*") >> '${npmLog}'\nexit 0\n`, {
      mode: 0o755,
    });
    // The "published" next version: our bundle saying it is NEXT, beside it so its imports resolve.
    nextCli = join(CLI, '..', `.upgrade-self-test-${process.pid}.js`);
    writeFileSync(nextCli, readFileSync(CLI, 'utf8').replace(`"${VERSION}"`, `"${NEXT}"`));
    env = childEnv({
      HOME: join(tmp, 'user'),
      PIPEDAI_HOME: join(tmp, 'home'),
      PIPEDAI_NPM: fakeNpm,
    });
    await superviseDaemon();
  });

  afterAll(async () => {
    stopping = true;
    daemon?.proc.kill('SIGTERM');
    await daemon?.exited;
    await killChildren();
    rmSync(nextCli, { force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a downgrade unless asked, and says when there is nothing to do', async () => {
    const down = await cli(['upgrade', '--self', '--version', '0.7.1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `refusing to downgrade the orchestrator ${VERSION} → 0.7.1; add --allow-downgrade`,
    );
    // The daemon refuses it too, whoever asks (the dashboard, a script).
    const token = (
      JSON.parse(readFileSync(join(tmp, 'home', 'orchestrator', 'credentials.json'), 'utf8')) as {
        localToken: string;
      }
    ).localToken;
    const res = await fetch(`http://127.0.0.1:${port}/api/upgrade-self`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: '0.7.1' }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { field?: string }).field).toBe('version');

    const same = await cli(['upgrade', '--self', '--version', VERSION]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`the orchestrator is already ${VERSION}`);
    // No release known (no worker, no environment to ask): name one.
    const unknown = await cli(['upgrade', '--self']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('name one with --version');
    expect((await cli(['upgrade', 'w1', '--self'])).code).toBe(2);
    expect((await cli(['upgrade', 'w1', '--allow-downgrade'])).code).toBe(2);
    expect(readFileSync(npmLog, 'utf8')).toBe('');
  });

  it('installs the named version, shows from → to, and waits for the daemon to come back as it', async () => {
    const r = await cli(['upgrade', '--self', '--version', NEXT]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `orchestrator ${VERSION} → ${NEXT}: installing @pipedai/orchestrator@${NEXT}`,
    );
    expect(r.stdout).toMatch(new RegExp(`✓ orchestrator ${VERSION} → ${NEXT} \\(\\d+\\.\\ds\\)`));
    expect(readFileSync(npmLog, 'utf8')).toBe(`install\t-g\t@pipedai/orchestrator@${NEXT}\n`);
    expect(starts).toEqual([CLI, nextCli]);
    expect((await cli(['version'])).stdout.trim()).toBe(VERSION); // this CLI; the daemon is NEXT
  });
});
