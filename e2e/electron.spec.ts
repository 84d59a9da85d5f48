// The desktop app end to end: the built app (out/) in a real Electron, owning a temp
// PIPEDAI_HOME with one worker (the sandbox simulator, enrolled with the sandbox API): the window,
// IPC, closing and relaunching, the clipboard the "Copy code" button writes, waking from sleep,
// quitting, and the OS shutting down (through the app's own powerMonitor handler). Runs where an
// Electron binary is installed (a desktop after `npm ci`; Linux CI under xvfb-run); elsewhere it
// reports a skip with the reason.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import { createControlClient } from '../app/main/control/client.ts';
import { ApiClient, redeemEnrollmentCode } from '../app/main/daemon/api/index.ts';
import { workerConfigs } from '../app/main/daemon/daemon.ts';
import { persistEnrollment } from '../app/main/daemon/enroll/persist.ts';
import { readLiveOwner } from '../app/main/daemon/owner/index.ts';
import { pathsFor } from '../app/main/daemon/paths.ts';
import { openStore } from '../app/main/daemon/store/index.ts';
import { childRegistryFile } from '../app/main/daemon/supervisor/child-registry.ts';
import type { FusedWorker } from '../app/shared/index.ts';
import { startApiEmulator, type ApiEmulator } from '../sandbox/api/index.ts';
import { BIN, pathWithNode } from '../sandbox/worker/test-support.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** The Electron executable `npm ci` downloads, or null (ELECTRON_SKIP_BINARY_DOWNLOAD). */
function electronBinary(): string | null {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}
const executablePath = electronBinary();

const SKIP_REASON =
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); run on a desktop with npm ci';
// The list reporter does not show skip reasons: say it once, plainly.
if (executablePath === null) console.log(`electron e2e skipped: ${SKIP_REASON}`);
test.skip(executablePath === null, SKIP_REASON);
test.describe.configure({ mode: 'serial' });

let root: string;
let home: string;
let api: ApiEmulator;
let env: Record<string, string>;
let workerId: string;
let app: ElectronApplication;
let page: Page;

/** The dashboard windows (Windows also has a hidden one that receives session-end messages). */
const dashboardWindows = (a: ElectronApplication): Promise<boolean[]> =>
  a.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()
      .filter((w) => w.webContents.getURL().startsWith('app://'))
      .map((w) => w.isVisible()),
  );

const launch = (): Promise<ElectronApplication> =>
  electron.launch({ executablePath: executablePath!, args: [ROOT], env, cwd: ROOT });

/** The worker as the window sees it, through window.pipedai (the preload bridge). */
const viaBridge = (p: Page): Promise<FusedWorker | undefined> =>
  p.evaluate(async (id) => {
    const out = await window.pipedai!.invoke('listWorkers', {});
    return out.items.find((w) => w.id === id);
  }, workerId);

test.beforeAll(async () => {
  if (!existsSync(join(ROOT, 'out', 'main', 'index.cjs')))
    throw new Error('the app is not built: run `npm run build` first');
  root = await mkdtemp(join(tmpdir(), 'pipedai-electron-e2e-'));
  home = join(root, 'home');
  api = await startApiEmulator({ port: 0, stateDir: join(root, 'api'), heartbeatTtlMs: 5_000 });

  // What `connect --token` does: redeem a one-time code and persist the worker.
  const client = new ApiClient();
  const code = await api.issueEnrollmentCode();
  const result = await redeemEnrollmentCode(client, api.url, code, {
    hostname: hostname(),
    os: process.platform,
    version: '1.4.2',
  });
  client.close();
  const store = openStore(pathsFor(home));
  const { entry } = await persistEnrollment(
    {
      paths: pathsFor(home),
      manifest: store.manifest,
      credentials: store.credentials,
      workerConfigs,
    },
    result,
    { hostname: hostname(), label: 'e2e' },
  );
  workerId = entry.id;

  const base = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  delete base.ELECTRON_RUN_AS_NODE;
  env = {
    ...base,
    PATH: pathWithNode(),
    PIPEDAI_HOME: home,
    PIPEDAI_USER_DATA_DIR: join(root, 'user-data'),
    PIPEDAI_CONTROL_PORT: '0',
    PIPEDAI_API_URL: api.url,
    PIPEDAI_WORKER_BIN: BIN,
    PIPEDAI_SIM_HEARTBEAT_MS: '200',
    PIPEDAI_SIM_POLL_MS: '100',
    PIPEDAI_INTERNET_PROBE_URL: `${api.url}/api/v1/health`,
  };
});

test.afterAll(async () => {
  await app?.close().catch(() => undefined);
  await api?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

test('the window shows the dashboard', async () => {
  app = await launch();
  page = await app.firstWindow();
  await expect(page).toHaveTitle('PipedAI Orchestrator');
  expect(page.url()).toMatch(/^app:\/\/dashboard\//);
  await expect(page.locator('#root')).not.toBeEmpty();
  // The page gets the Bridge and nothing of Node.
  expect(
    await page.evaluate(() => ({
      bridge: Object.keys(window.pipedai ?? {}).sort(),
      require: typeof (window as { require?: unknown }).require,
      process: typeof (window as { process?: unknown }).process,
    })),
  ).toEqual({
    bridge: ['invoke', 'onConnection', 'subscribe'],
    require: 'undefined',
    process: 'undefined',
  });
});

test("an IPC round trip changes a worker's state", async () => {
  await expect.poll(async () => (await viaBridge(page))?.local?.state).toBe('running');
  const stopped = await page.evaluate(
    (id) => window.pipedai!.invoke('stopWorker', { id }),
    workerId,
  );
  expect(stopped).toEqual({ id: workerId, action: 'stop', ok: true });
  await expect.poll(async () => (await viaBridge(page))?.local?.state).toBe('stopped');
  expect((await viaBridge(page))?.desiredState).toBe('disabled');

  // Bad input is refused by the IPC door with the field, as a plain ErrorBody.
  const refused = await page.evaluate(() =>
    window.pipedai!.invoke('stopWorker', { id: '' }).then(
      () => null,
      (e: unknown) => e,
    ),
  );
  expect(refused).toMatchObject({ code: 'bad-request', field: 'id' });

  await page.evaluate((id) => window.pipedai!.invoke('startWorker', { id }), workerId);
  await expect.poll(async () => (await viaBridge(page))?.local?.state).toBe('running');
});

test('closing the window keeps the app and its workers alive', async () => {
  await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()
      .find((w) => w.webContents.getURL().startsWith('app://'))
      ?.close(),
  );
  await expect.poll(async () => (await dashboardWindows(app)).length).toBe(0);
  expect(await app.evaluate(() => process.pid)).toBeGreaterThan(0);
  // The desktop owns the host and serves the CLI: the worker still runs.
  const owner = await readLiveOwner(pathsFor(home));
  expect(owner).toMatchObject({ host: 'desktop' });
  const cli = createControlClient({
    baseUrl: `http://127.0.0.1:${owner?.port}`,
    token: await openStore(pathsFor(home)).credentials.localToken(),
  });
  const { items } = await cli.call('listWorkers', {});
  expect(items.find((w) => w.id === workerId)?.local?.state).toBe('running');
});

test('a second launch focuses the first', async () => {
  const windowShown = app.waitForEvent('window');
  const second = spawn(executablePath!, [ROOT], { env, cwd: ROOT, stdio: 'ignore' });
  const exitCode = await new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
  expect(exitCode).toBe(0);
  page = await windowShown;
  await expect(page).toHaveTitle('PipedAI Orchestrator');
  await expect.poll(() => dashboardWindows(app)).toEqual([true]);
});

test('copy code: the page may write the clipboard, and only write it', async () => {
  await page.bringToFront();
  // What PairingCode's "Copy code" does; the permission handler grants it to app://dashboard.
  const wrote = await page.evaluate(() =>
    navigator.clipboard.writeText('WDJB-MJHT').then(
      () => 'ok',
      (e: unknown) => String(e),
    ),
  );
  expect(wrote).toBe('ok');
  expect(await app.evaluate(({ clipboard }) => clipboard.readText())).toBe('WDJB-MJHT');
  const read = await page.evaluate(() =>
    navigator.clipboard.readText().then(
      () => 'read',
      () => 'denied',
    ),
  );
  expect(read).toBe('denied');
});

test('waking from sleep probes connectivity at once', async () => {
  const last = (): Promise<number> =>
    page.evaluate(async () => {
      const c = await window.pipedai!.invoke('getConnectivity', { tail: 1 });
      return c.current?.ts ?? 0;
    });
  await expect.poll(last).toBeGreaterThan(0);
  const before = await last();
  // The monitor probes every 20 s: a newer sample within 10 s is the resume handler's doing.
  await app.evaluate(({ powerMonitor }) => void powerMonitor.emit('resume'));
  await expect.poll(last, { timeout: 10_000 }).toBeGreaterThan(before);
});

test('quit drains the workers and releases the host', async () => {
  await app.close();
  expect(await readLiveOwner(pathsFor(home))).toBeNull();
  // Drained, not handed over: no worker process is left in the child registry.
  expect((await childRegistryFile(pathsFor(home).children).read()).children).toEqual([]);
  // The worker stays wanted: the next owner starts it again.
  expect((await openStore(pathsFor(home)).manifest.get(workerId))?.desiredState).toBe('enabled');
});

test("the OS shutting down quits through the app's shutdown handler, within its deadline", async () => {
  app = await launch();
  page = await app.firstWindow();
  await expect.poll(async () => (await viaBridge(page))?.local?.state).toBe('running');
  const exited = new Promise<void>((r) => app.process().once('exit', () => r()));
  const began = Date.now();
  // What Electron does when logind (Linux) or macOS announces the shutdown. Emitted after this
  // evaluate has answered: the app quits under it.
  await app.evaluate(({ powerMonitor }) => {
    setTimeout(() => powerMonitor.emit('shutdown', { preventDefault: () => undefined }), 0);
  });
  await exited;
  // No question asked (nobody is there), and the watchdog's deadline (4 s) with room to spare.
  expect(Date.now() - began).toBeLessThan(15_000);
  expect(await readLiveOwner(pathsFor(home))).toBeNull();
  // No service here: the idle worker drained and stopped, and stays wanted for the next start.
  expect((await childRegistryFile(pathsFor(home).children).read()).children).toEqual([]);
  expect((await openStore(pathsFor(home)).manifest.get(workerId))?.desiredState).toBe('enabled');
});
