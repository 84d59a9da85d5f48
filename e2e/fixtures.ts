// The demo setup for the Chromium dashboard suite: the sandbox API and the headless daemon as
// real child processes (the built bundles), a fresh PIPEDAI_HOME with no workers, fast timings,
// and one page on the dashboard. Worker-scoped, so the spec's serial steps share them; teardown
// drains the daemon, stops the sandbox and checks /proc that nothing of ours is left running.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { z } from 'zod';
import { createControlClient, type ControlClient } from '../app/main/control/client.ts';
import { pathsFor } from '../app/main/daemon/paths.ts';
import { FusedWorker } from '../app/shared/index.ts';
import { buildDrift } from '../scripts/toolchain.mjs';
import {
  CLI,
  ROOT,
  SANDBOX,
  childEnv,
  ensureBundles,
  killChildren,
  listeningPort,
  processesWhere,
  run,
  startChild,
  waitFor,
  type Child,
} from '../test/cli/support/cli.ts';

const VIEWPORT = { width: 1280, height: 800 };
const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots');
/** Chatter lines per second from every simulated worker, so a log tail keeps moving. */
const LOG_LINES_PER_SECOND = 4;
/** The worker release the sandbox announces (the simulator runs an older one). */
export const LATEST_WORKER = '1.5.0';
/** A daemon drains its workers on SIGTERM; the simulator exits at once when idle. */
const DRAIN_WAIT_MS = 60_000;

export interface DemoSetup {
  apiUrl: string;
  dashboardUrl: string;
  control: ControlClient;
  /** A sandbox operator control (POST with a JSON body). */
  sandboxPost(path: string, body: unknown): Promise<unknown>;
  sandboxGet(path: string): Promise<unknown>;
  /** `pipedai-orchestrator workers --json`: the daemon's view through the CLI. */
  workersViaCli(): Promise<FusedWorker[]>;
  /** Run the CLI against the daemon; its stdout (it must exit 0). */
  cli(args: string[]): Promise<string>;
  /** SIGTERM the daemon and wait until it has drained and exited. */
  stopDaemon(): Promise<void>;
  /** Start the daemon again, on the same port and home. */
  startDaemon(): Promise<void>;
  /** The sandbox npm registry the managed worker runtime installs from. */
  registryUrl: string;
  /** Take the registry away, and bring it back on the same port with what it served. */
  stopRegistry(): Promise<void>;
  startRegistry(): Promise<void>;
  /** PIPEDAI_HOME of the daemon. */
  home: string;
}

/** `npm run build` when an output is missing or older than its sources; then fresh bundles. */
async function ensureBuilt(): Promise<void> {
  const drift = buildDrift(ROOT);
  if (drift) {
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0)
      throw new Error(`npm run build (${drift}) failed (exit ${r.status}):\n${r.stderr}`);
  }
  await ensureBundles();
}

async function fetchJson(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Signal a child and wait for it to exit; SIGKILL after `ms`. */
async function stopChild(child: Child, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const kill = setTimeout(() => child.proc.kill('SIGKILL'), ms);
  child.proc.kill(signal);
  await child.exited;
  clearTimeout(kill);
}

const Credentials = z.object({ localToken: z.string().min(1) });
const WorkersJson = z.object({ items: z.array(FusedWorker) });

async function startDemo(
  root: string,
): Promise<{ demo: DemoSetup; teardown: () => Promise<void> }> {
  const home = join(root, 'home');
  // A fresh host: the daemon's PATH has neither node, npm nor pipedai-worker, only `ps` (which
  // process-tree kill needs). The worker runtime comes from the sandbox registry.
  const psOnly = join(root, 'bin');
  mkdirSync(psOnly);
  symlinkSync(
    execFileSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).trim(),
    join(psOnly, 'ps'),
  );
  let registry: Child | null = null;
  let registryPort = 0;
  const startRegistry = async (): Promise<void> => {
    registry = startChild(
      process.execPath,
      [SANDBOX, 'registry', '--port', String(registryPort), '--state', join(root, 'registry')],
      { env: childEnv({}) },
    );
    registryPort = await listeningPort(registry);
  };
  const stopRegistry = async (): Promise<void> => {
    if (registry) await stopChild(registry, 'SIGTERM', 10_000);
    registry = null;
  };
  await startRegistry();
  const registryUrl = `http://127.0.0.1:${registryPort}`;

  const sandbox = startChild(
    process.execPath,
    [SANDBOX, 'api', '--port', '0', '--state', join(root, 'sandbox'), '--device-interval', '1'],
    { env: childEnv({}) },
  );
  const apiUrl = `http://127.0.0.1:${await listeningPort(sandbox)}`;
  const sandboxPost = (path: string, body: unknown): Promise<unknown> =>
    fetchJson(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  // A newer worker release, so the table has an upgrade to offer.
  await sandboxPost('/sandbox/releases', { worker: LATEST_WORKER });

  const env = childEnv({
    PATH: psOnly,
    PIPEDAI_HOME: home,
    npm_config_registry: registryUrl,
    npm_config_cache: join(root, 'npm-cache'),
    npm_config_userconfig: join(root, 'no-npmrc'),
    NO_PROXY: '127.0.0.1,localhost',
    // A crash loop (the broken 1.5.1) is noticed in about a second, not twenty.
    PIPEDAI_BACKOFF_UNIT_MS: '100',
    PIPEDAI_SIM_HEARTBEAT_MS: '500',
    PIPEDAI_SIM_POLL_MS: '250',
    PIPEDAI_SIM_LOG_RATE: String(LOG_LINES_PER_SECOND),
    PIPEDAI_TIMINGS: JSON.stringify({ refreshMs: 1000, releasesMs: 3000, drainPollMs: 200 }),
    // Probe the sandbox registry, not the internet: the suite makes no outside connection, and an
    // API outage (which the sandbox API's own health would share) reads as "API unreachable".
    PIPEDAI_INTERNET_PROBE_URL: `${registryUrl}/-/ping`,
  });

  let daemon: Child | null = null;
  let port = 0;
  const startDaemon = async (): Promise<void> => {
    daemon = startChild(process.execPath, [CLI, 'start', '--port', String(port)], { env });
    const bound = await listeningPort(daemon, 60_000);
    if (port !== 0 && bound !== port) throw new Error(`daemon came back on ${bound}, not ${port}`);
    port = bound;
  };
  const daemonPid = (): number => daemon?.proc.pid ?? -1;
  const stopDaemon = async (): Promise<void> => {
    if (daemon) await stopChild(daemon, 'SIGTERM', DRAIN_WAIT_MS);
  };
  await startDaemon();

  const { localToken } = Credentials.parse(
    JSON.parse(readFileSync(pathsFor(home).credentials, 'utf8')),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const demo: DemoSetup = {
    apiUrl,
    dashboardUrl: `${baseUrl}/?token=${encodeURIComponent(localToken)}`,
    control: createControlClient({ baseUrl, token: localToken }),
    sandboxPost,
    sandboxGet: (path) => fetchJson(`${apiUrl}${path}`),
    async workersViaCli() {
      const r = await run(process.execPath, [CLI, 'workers', '--json'], { env });
      if (r.code !== 0) throw new Error(`workers --json exited ${r.code}: ${r.stderr}`);
      return WorkersJson.parse(JSON.parse(r.stdout)).items;
    },
    async cli(args) {
      const r = await run(process.execPath, [CLI, ...args], { env });
      if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    stopDaemon,
    startDaemon,
    registryUrl,
    stopRegistry,
    startRegistry,
    home,
  };

  // Workers inherit PIPEDAI_HOME; the sandbox's command line names its state folder.
  const ours = (cmdline: string, environ: string): boolean =>
    environ.includes(`\nPIPEDAI_HOME=${home}\n`) || cmdline.includes(root);
  // The scan must see what it looks for, or the check at teardown could never fail.
  const seen = processesWhere(ours);
  if (!seen.includes(sandbox.proc.pid!) || !seen.includes(daemonPid()))
    throw new Error(
      `the /proc scan does not see the sandbox and the daemon (saw ${seen.join(', ')})`,
    );

  const teardown = async (): Promise<void> => {
    await stopDaemon();
    await stopChild(sandbox, 'SIGTERM', 10_000);
    await stopRegistry();
    await waitFor('no process of the suite left running', () =>
      processesWhere(ours).length === 0 ? true : undefined,
    ).catch(() => {
      throw new Error(`processes left running: ${processesWhere(ours).join(', ')}`);
    });
  };
  return { demo, teardown };
}

/** Save a 1280×800 screenshot of the page as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // No hover effect from the last click in the picture.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

export const test = base.extend<object, { demo: DemoSetup; dashboard: Page }>({
  demo: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies
    async ({}, use) => {
      await ensureBuilt();
      const root = mkdtempSync(join(tmpdir(), 'pipedai-dashboard-e2e-'));
      let teardown: (() => Promise<void>) | null = null;
      try {
        const started = await startDemo(root);
        teardown = started.teardown;
        await use(started.demo);
      } finally {
        try {
          await teardown?.();
        } finally {
          // A start that failed half-way leaves its children to this safety net.
          await killChildren();
          rmSync(root, { recursive: true, force: true });
        }
      }
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  dashboard: [
    async ({ browser, demo }, use) => {
      const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
      const page = await context.newPage();
      // The page runs under the daemon's CSP (no inline script or style): anything it blocks is
      // a defect of the bundle, so the suite fails on it.
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
          blocked.push(m.text());
      });
      // A blocked eval that the page catches (zod's `new Function('')` probe) logs nothing to the
      // console: only the securitypolicyviolation event tells. Init scripts run outside the CSP.
      await context.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (e) => {
          const w = window as { __cspViolations?: string[] };
          (w.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
        }),
      );
      await page.goto(demo.dashboardUrl);
      await use(page);
      const violations = await page
        .evaluate(() => (window as { __cspViolations?: string[] }).__cspViolations ?? [])
        .catch(() => []);
      await context.close();
      blocked.push(...violations.map((v) => `violation: ${v}`));
      if (blocked.length > 0) throw new Error(`the CSP blocked: ${blocked.join(' | ')}`);
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
