// `upgrade --self` end to end, the real way: the CLI asks the running daemon, which installs
// @pipedai/orchestrator from a sandbox registry (our own CLI, packed at another version) into
// PIPEDAI_HOME/runtime/orchestrator/<v>/ with its own npm, hands over and re-executes in place (no
// service manager here); the CLI waits until the daemon answers as that version. A downgrade is
// refused unless named and allowed, and once allowed it is what the daemon then runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../app/main/daemon/version.ts';
import { startSandboxRegistry, type SandboxRegistry } from '../../sandbox/registry/index.ts';
import { publishOrchestrator, shiftedVersion } from '../support/orchestrator-package.ts';
import {
  CLI,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  run,
  startChild,
  type Child,
} from './support/cli.ts';

/** Newer and older than this version; pre-releases, so never a real one. */
const NEXT = shiftedVersion(VERSION, 1, 'cli');
const OLDER = shiftedVersion(VERSION, -1, 'cli');

describe.runIf(process.platform === 'linux')('upgrade --self', { timeout: 180_000 }, () => {
  let tmp = '';
  let home = '';
  let registry: SandboxRegistry | null = null;
  let env: NodeJS.ProcessEnv = {};
  let daemon: Child | null = null;
  let port = 0;

  const cli = (args: string[]) =>
    run(process.execPath, [CLI, ...args], { env, timeoutMs: 150_000 });
  const pointer = () =>
    JSON.parse(readFileSync(join(home, 'runtime', 'orchestrator', 'current.json'), 'utf8')) as {
      version: string;
      previous: string;
      downgrade?: boolean;
    };

  beforeAll(async () => {
    await ensureBundles();
    tmp = mkdtempSync(join(process.env.PIPEDAI_TEST_ROOT ?? tmpdir(), 'upgrade-self-'));
    home = join(tmp, 'home');
    registry = await startSandboxRegistry({
      port: 0,
      stateDir: join(tmp, 'registry'),
      releases: [],
    });
    await publishOrchestrator(registry.url, [NEXT, OLDER]);
    env = childEnv({
      HOME: join(tmp, 'user'),
      PIPEDAI_HOME: home,
      npm_config_registry: `${registry.url}/`,
      npm_config_cache: join(tmp, 'npm-cache'),
      npm_config_update_notifier: 'false',
    });
    daemon = startChild(process.execPath, [CLI, 'start', '--port', '0'], { env });
    port = await listeningPort(daemon);
  }, 150_000);

  afterAll(async () => {
    daemon?.proc.kill('SIGTERM');
    await daemon?.exited;
    await killChildren();
    await registry?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a downgrade unless asked, and says when there is nothing to do', async () => {
    const down = await cli(['upgrade', '--self', '--version', OLDER]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(
      `refusing to downgrade the orchestrator ${VERSION} → ${OLDER}; add --allow-downgrade`,
    );
    // The daemon refuses it too, whoever asks (the dashboard, a script).
    const token = (
      JSON.parse(readFileSync(join(home, 'orchestrator', 'credentials.json'), 'utf8')) as {
        localToken: string;
      }
    ).localToken;
    const res = await fetch(`http://127.0.0.1:${port}/api/upgrade-self`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: OLDER }),
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
  });

  it('installs the named version beside this one, shows from → to, and waits for the daemon to come back as it', async () => {
    const r = await cli(['upgrade', '--self', '--version', NEXT]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `orchestrator ${VERSION} → ${NEXT}: installing @pipedai/orchestrator@${NEXT}`,
    );
    expect(r.stdout).toMatch(new RegExp(`✓ orchestrator ${VERSION} → ${NEXT} \\(\\d+\\.\\ds\\)`));
    expect(pointer()).toMatchObject({ version: NEXT, previous: VERSION });
    expect(daemon?.stderr()).toContain(`starting pipedai-orchestrator ${NEXT}`);
    expect((await cli(['version'])).stdout.trim()).toBe(VERSION); // this CLI; the daemon is NEXT
  });

  it('goes back to an older version when named and allowed, and the daemon then runs it', async () => {
    const r = await cli(['upgrade', '--self', '--version', OLDER, '--allow-downgrade']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`orchestrator ${NEXT} → ${OLDER} (downgrade)`);
    expect(r.stdout).toMatch(new RegExp(`✓ orchestrator ${NEXT} → ${OLDER}`));
    // The launcher (this version's CLI) runs the older managed one: asked for, nothing newer since.
    expect(pointer()).toMatchObject({ version: OLDER, previous: NEXT, downgrade: true });
    expect(daemon?.stderr()).toContain(`starting pipedai-orchestrator ${OLDER}`);
  });
});
