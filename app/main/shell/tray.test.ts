// The tray adapter with Electron replaced by recorders: what it sets, when, and what clicks do.
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { trayModel, type TrayAction } from './logic/tray.ts';
import { shell, worker } from './logic/test-support.ts';

const h = vi.hoisted(() => {
  type Call = [string, unknown];
  const trays: Array<{ calls: Call[]; handlers: Map<string, () => void> }> = [];
  const themeListeners = new Set<() => void>();
  class FakeTray {
    calls: Call[] = [];
    handlers = new Map<string, () => void>();
    constructor(image: unknown) {
      this.calls.push(['image', image]);
      trays.push(this);
    }
    setImage(image: unknown) {
      this.calls.push(['image', image]);
    }
    setToolTip(text: string) {
      this.calls.push(['tooltip', text]);
    }
    setContextMenu(menu: unknown) {
      this.calls.push(['menu', menu]);
    }
    on(event: string, fn: () => void) {
      this.handlers.set(event, fn);
    }
    destroy() {
      this.calls.push(['destroy', null]);
    }
  }
  const nativeTheme = {
    shouldUseDarkColors: false,
    shouldUseDarkColorsForSystemIntegratedUI: false,
    on: (_e: string, fn: () => void) => themeListeners.add(fn),
    off: (_e: string, fn: () => void) => themeListeners.delete(fn),
  };
  return { trays, FakeTray, nativeTheme, themeListeners };
});

vi.mock('electron', () => ({
  Tray: h.FakeTray,
  Menu: { buildFromTemplate: (template: unknown) => ({ template }) },
  nativeImage: {
    createFromPath: (path: string) => ({
      path,
      template: false,
      setTemplateImage(this: { template: boolean }, v: boolean) {
        this.template = v;
      },
    }),
  },
  nativeTheme: h.nativeTheme,
}));

const { createTrayController } = await import('./tray.ts');

type MenuTemplate = Array<{
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
  submenu?: MenuTemplate;
}>;
const menus = (t: (typeof h.trays)[number]) =>
  t.calls.filter(([k]) => k === 'menu').map(([, m]) => (m as { template: MenuTemplate }).template);
const images = (t: (typeof h.trays)[number]) =>
  t.calls.filter(([k]) => k === 'image').map(([, i]) => i as { path: string; template: boolean });

describe('tray adapter', () => {
  beforeEach(() => {
    h.trays.length = 0;
    h.themeListeners.clear();
    h.nativeTheme.shouldUseDarkColors = false;
    h.nativeTheme.shouldUseDarkColorsForSystemIntegratedUI = false;
  });

  it('on Linux sets the context menu again after every change', () => {
    const actions: TrayAction[] = [];
    const tray = createTrayController({
      iconsDir: '/icons',
      platform: 'linux',
      onAction: (a) => actions.push(a),
      onClick: () => undefined,
    });
    const t = h.trays[0]!;
    tray.render(trayModel(shell([worker('a', 'starting')])));
    tray.render(trayModel(shell([worker('a', 'starting')]))); // no change: nothing to set
    tray.render(trayModel(shell([worker('a', 'running')])));
    tray.render(trayModel(shell([worker('a', 'running'), worker('b', 'running')])));
    expect(menus(t)).toHaveLength(3);
    expect(menus(t)[2]?.[0]).toEqual({ label: '2 workers running', enabled: false });
    expect(images(t).map((i) => i.path)).toEqual([
      join('/icons', 'tray-offline-dark@2x.png'),
      join('/icons', 'tray-degraded-dark@2x.png'),
      join('/icons', 'tray-running-dark@2x.png'),
    ]);
    expect(t.calls.filter(([k]) => k === 'tooltip').map(([, v]) => v)).toEqual([
      'PipedAI Orchestrator — 0 of 1 worker running',
      'PipedAI Orchestrator — 1 worker running',
      'PipedAI Orchestrator — 2 workers running',
    ]);
  });

  it('dispatches the action of a clicked item, including inside a worker submenu', () => {
    const actions: TrayAction[] = [];
    const tray = createTrayController({
      iconsDir: '/icons',
      platform: 'linux',
      onAction: (a) => actions.push(a),
      onClick: () => undefined,
    });
    tray.render(
      trayModel(
        shell([worker('w-7', 'running', { label: 'Seven' })], {
          launchAtLogin: { on: false, note: null },
        }),
      ),
    );
    const menu = menus(h.trays[0]!)[0]!;
    const sub = menu.find((i) => i.label === 'Seven — running')?.submenu ?? [];
    sub.find((i) => i.label === 'Stop')?.click?.();
    menu.find((i) => i.label === 'Launch at login')?.click?.();
    menu.find((i) => i.label === 'Quit')?.click?.();
    expect(actions).toEqual([
      { kind: 'worker', verb: 'stop', id: 'w-7', label: 'Seven' },
      { kind: 'toggle-login' },
      { kind: 'quit' },
    ]);
    expect(menu.find((i) => i.label === 'Launch at login')).toMatchObject({
      type: 'checkbox',
      checked: false,
    });
  });

  it("uses template images on macOS and follows the taskbar's theme on Windows", () => {
    const mac = createTrayController({
      iconsDir: '/i',
      platform: 'darwin',
      onAction: () => undefined,
      onClick: () => undefined,
    });
    mac.render(trayModel(shell([worker('a', 'crashed')])));
    expect(images(h.trays[0]!).at(-1)).toMatchObject({
      path: join('/i', 'tray-crashloopTemplate.png'),
      template: true,
    });

    const win = createTrayController({
      iconsDir: '/i',
      platform: 'win32',
      onAction: () => undefined,
      onClick: () => undefined,
    });
    win.render(trayModel(shell([worker('a', 'running')])));
    expect(images(h.trays[1]!).at(-1)?.path).toBe(join('/i', 'tray-running-light.ico'));
    // Dark apps on a light taskbar: the icon follows the taskbar.
    h.nativeTheme.shouldUseDarkColors = true;
    for (const l of h.themeListeners) l();
    expect(images(h.trays[1]!).at(-1)?.path).toBe(join('/i', 'tray-running-light.ico'));
    h.nativeTheme.shouldUseDarkColorsForSystemIntegratedUI = true;
    for (const l of h.themeListeners) l();
    expect(images(h.trays[1]!).at(-1)?.path).toBe(join('/i', 'tray-running-dark.ico'));
    win.destroy();
    expect(h.trays[1]!.calls.at(-1)).toEqual(['destroy', null]);
  });

  it('escapes & in labels on Windows and Linux, not on macOS', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      h.trays.length = 0;
      createTrayController({
        iconsDir: '/i',
        platform,
        onAction: () => undefined,
        onClick: () => undefined,
      }).render(trayModel(shell([worker('w', 'running', { label: 'R&D' })])));
      const labels = menus(h.trays[0]!)[0]!.map((i) => i.label);
      expect(labels).toContain(platform === 'darwin' ? 'R&D — running' : 'R&&D — running');
    }
  });

  it('sets the menu again after a click, so a checkbox shows the model, not the click', () => {
    const tray = createTrayController({
      iconsDir: '/i',
      platform: 'linux',
      onAction: () => undefined,
      onClick: () => undefined,
    });
    const model = trayModel(shell([], { launchAtLogin: { on: false, note: null } }));
    tray.render(model);
    menus(h.trays[0]!)[0]!
      .find((i) => i.label === 'Launch at login')
      ?.click?.();
    // Turning it on failed: the model is unchanged, but the native checkbox ticked itself.
    tray.render(model);
    expect(menus(h.trays[0]!)).toHaveLength(2);
    expect(menus(h.trays[0]!)[1]!.find((i) => i.label === 'Launch at login')?.checked).toBe(false);
    tray.render(model);
    expect(menus(h.trays[0]!)).toHaveLength(2);
  });

  it('forwards a click on the icon', () => {
    let clicks = 0;
    createTrayController({
      iconsDir: '/i',
      platform: 'win32',
      onAction: () => undefined,
      onClick: () => clicks++,
    });
    h.trays[0]!.handlers.get('click')?.();
    expect(clicks).toBe(1);
  });
});
