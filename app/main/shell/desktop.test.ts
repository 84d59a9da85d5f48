// The whole desktop composition under Node: Electron is a recording fake, everything else is
// real (the daemon in a temp PIPEDAI_HOME, its control server, the IPC door, the XDG entry).
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../shared/ipc.ts';
import { createControlClient } from '../control/client.ts';
import { readLiveOwner } from '../daemon/owner/index.ts';
import { pathsFor } from '../daemon/paths.ts';
import { openStore } from '../daemon/store/index.ts';
import { FakeBrowserWindow, FakeTray, REPO, bootDesktop, fake, waitFor } from './test-support.ts';

vi.mock('electron', async () => (await import('./test-support.ts')).electronModule);
// electron-store loads the real `electron` (it is not transformed by vitest): keep prefs in memory.
vi.mock('./prefs.ts', () => {
  let bounds: unknown;
  return {
    openUiPrefs: () => ({
      windowBounds: () => bounds,
      setWindowBounds: (b: unknown) => void (bounds = b),
    }),
  };
});

type MenuItem = { label?: string; checked?: boolean; click?: () => void; submenu?: MenuItem[] };
const tray = (): FakeTray => FakeTray.all[0]!;
const menu = (): MenuItem[] => (tray().menus.at(-1) ?? []) as MenuItem[];
const item = (label: string): MenuItem | undefined => menu().find((i) => i.label === label);
const trusted = (w: FakeBrowserWindow) => ({
  sender: w.webContents,
  senderFrame: { url: 'app://dashboard/index.html', parent: null },
});

describe('desktop app', () => {
  let root: string;
  let home: string;
  let xdg: string;

  beforeAll(async () => {
    ({ root, home, xdg } = await bootDesktop());
  });

  afterAll(async () => {
    if (!fake.app.quitted) fake.app.quit();
    await waitFor('the app to quit', () => fake.app.quitted);
    await rm(root, { recursive: true, force: true });
  });

  it('owns the host as the desktop and serves the CLI', async () => {
    const owner = await readLiveOwner(pathsFor(home));
    expect(owner).toMatchObject({ host: 'desktop', pid: process.pid });
    const cli = createControlClient({
      baseUrl: `http://127.0.0.1:${owner?.port}`,
      token: await openStore(pathsFor(home)).credentials.localToken(),
    });
    expect((await cli.call('listWorkers', {})).items.map((w) => w.label)).toEqual(['Alpha']);
    expect(fake.app.paths.get('userData')).toBe(join(root, 'user-data'));
  });

  it('shows the hardened dashboard window and the tray', async () => {
    const w = FakeBrowserWindow.all[0]!;
    expect(w.loaded).toEqual(['app://dashboard/index.html']);
    expect(w.options.webPreferences).toMatchObject({
      preload: join(REPO, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(fake.privilegedSchemes).toMatchObject([{ scheme: 'app' }]);
    expect(fake.protocolHandlers.has('app')).toBe(true);
    // Nothing answers the probes here: the host reads as offline once the first sample lands.
    const offline =
      /^Offline: no network since \d\d:\d\d — workers keep running; remote status is out of date$/;
    await waitFor('the offline status', () => offline.test(menu()[0]?.label ?? ''));
    expect(tray().images.at(-1)).toBe(join(REPO, 'build', 'tray', 'tray-offline-dark@2x.png'));
    expect(existsSync(tray().images.at(-1)!)).toBe(true);
    expect(tray().tooltips.at(-1)).toMatch(/^PipedAI Orchestrator — Offline: no network since /);
  });

  it('answers the window over IPC, forwards frames to it, and refuses others', async () => {
    const w = FakeBrowserWindow.all[0]!;
    const invoke = fake.ipcHandlers.get(IPC.invoke) as (
      e: unknown,
      n: string,
      i: unknown,
    ) => Promise<unknown>;
    w.webContents.sent.length = 0;
    expect(await invoke(trusted(w), 'stopWorker', { id: 'w-1' })).toEqual({
      ok: true,
      value: { id: 'w-1', action: 'stop', ok: true },
    });
    await waitFor('a status frame in the window', () =>
      w.webContents.sent.some(
        ([ch, f]) =>
          ch === IPC.frame && (f as Array<{ kind: string }>).some((x) => x.kind === 'status'),
      ),
    );
    const foreign = { ...trusted(w), sender: { id: w.webContents.id + 1000 } };
    expect(await invoke(foreign, 'listWorkers', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it('says plainly why a checkout does not update itself, in the window, the tray and the API', async () => {
    const w = FakeBrowserWindow.getAllWindows()[0]!;
    const invoke = fake.ipcHandlers.get(IPC.invoke) as (
      e: unknown,
      n: string,
      i: unknown,
    ) => Promise<{ ok: boolean; value?: { desktopUpdate?: unknown }; error?: unknown }>;
    const self = await invoke(trusted(w), 'getSelf', {});
    expect(self.value?.desktopUpdate).toEqual({
      state: 'unsupported',
      message: expect.stringMatching(/^Running from a checkout/),
    });
    expect(await invoke(trusted(w), 'restartToUpdate', {})).toMatchObject({
      ok: false,
      error: { code: 'conflict', error: expect.stringMatching(/^Running from a checkout/) },
    });
    expect(menu().some((i) => i.label === 'Updates: not from this app (see the dashboard)')).toBe(
      true,
    );
    // The desktop app never installs itself through npm, whoever asks.
    const owner = await readLiveOwner(pathsFor(home));
    const cli = createControlClient({
      baseUrl: `http://127.0.0.1:${owner?.port}`,
      token: await openStore(pathsFor(home)).credentials.localToken(),
    });
    await expect(cli.call('upgradeSelf', { version: '9.9.9' })).rejects.toThrow(
      /this orchestrator is the desktop app/,
    );
  });

  it('toggles launch at login from the tray (XDG autostart entry on Linux)', async () => {
    const entry = join(xdg, 'autostart', 'pipedai-orchestrator.desktop');
    expect(item('Launch at login')).toMatchObject({ checked: false });
    item('Launch at login')?.click?.();
    await waitFor('the checked item', () => item('Launch at login')?.checked);
    // Unpackaged: Electron, then the app folder, then --hidden.
    expect(await readFile(entry, 'utf8')).toContain(`Exec=${process.execPath} ${REPO} --hidden`);
    item('Launch at login')?.click?.();
    await waitFor('the unchecked item', () => item('Launch at login')?.checked === false);
    expect(existsSync(entry)).toBe(false);
  });

  it('after sleep, probes and refreshes at once rather than at the next tick', async () => {
    const w = FakeBrowserWindow.getAllWindows()[0]!;
    const samples = (): number =>
      w.webContents.sent
        .filter(([ch]) => ch === IPC.frame)
        .flatMap(([, f]) => f as Array<{ kind: string }>)
        .filter((f) => f.kind === 'connectivity').length;
    const before = samples();
    // The monitor probes every 20 s: a sample within a few seconds is the wake's doing.
    fake.power.emit('resume');
    await waitFor('a fresh sample', () => samples() > before);
  });

  it('sets no menu bar on Linux', () => {
    expect(fake.applicationMenu).toBeNull();
    expect(fake.app.appUserModelId).toBeNull(); // Windows only
  });

  it('stays alive without a window; a second launch brings one back', async () => {
    FakeBrowserWindow.all[0]!.close();
    fake.app.emit('window-all-closed');
    expect(fake.app.quitRequests).toBe(0);
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(0);
    fake.app.emit('second-instance');
    const again = await waitFor(
      'a new window',
      () => FakeBrowserWindow.getAllWindows()[0]?.visible && FakeBrowserWindow.getAllWindows()[0],
    );
    expect(again).not.toBe(FakeBrowserWindow.all[0]);
    // The remembered bounds of the closed window.
    expect(again.options).toMatchObject({ x: 40, y: 30, width: 1000, height: 700 });
  });

  it('quits through a drain: the tray goes, the host is released', async () => {
    fake.app.quit();
    expect(fake.app.quitted).toBe(false); // held while the link closes
    await waitFor('the app to quit', () => fake.app.quitted);
    expect(tray().destroyed).toBe(true);
    expect(fake.ipcHandlers.size).toBe(0);
    expect(await readLiveOwner(pathsFor(home))).toBeNull();
    expect(fake.errorBoxes).toEqual([]);
  });
});
