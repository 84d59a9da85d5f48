import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRASH_LOOP_RESTARTS, isCrashLooping } from '../../../shared/index.ts';
import {
  HOST_STATES,
  aggregateHostState,
  trayIconFile,
  trayTheme,
  type HostState,
} from './host-state.ts';
import { shell, worker } from './test-support.ts';

describe('aggregate host state', () => {
  const cases: Array<[string, Parameters<typeof aggregateHostState>[0], HostState]> = [
    [
      'every enabled worker running',
      shell([worker('a', 'running'), worker('b', 'running')]),
      'running',
    ],
    [
      'disabled workers do not count against running',
      shell([worker('a', 'running'), worker('b', 'stopped', { desiredState: 'disabled' })]),
      'running',
    ],
    [
      'one enabled worker not running',
      shell([worker('a', 'running'), worker('b', 'starting')]),
      'degraded',
    ],
    ['a worker backing off once', shell([worker('a', 'backing-off', { restarts: 1 })]), 'degraded'],
    [
      'an enabled worker the daemon does not run (yet)',
      shell([worker('a', 'running'), worker('b', null)]),
      'degraded',
    ],
    [
      'a worker disabled on the server does not count',
      shell([
        worker('a', 'running'),
        worker('b', 'stopped', {
          remote: {
            status: 'offline',
            currentRunId: null,
            version: null,
            lastSeenAt: null,
            disabled: true,
          },
        }),
      ]),
      'running',
    ],
    [
      'no worker meant to run',
      shell([worker('a', 'stopped', { desiredState: 'disabled' })]),
      'degraded',
    ],
    [
      'a crash loop wins over degraded',
      shell([
        worker('a', 'starting'),
        worker('b', 'backing-off', { restarts: CRASH_LOOP_RESTARTS }),
      ]),
      'crashloop',
    ],
    ['a crashed worker', shell([worker('a', 'crashed', { restarts: 9 })]), 'crashloop'],
    ['the network is down', shell([worker('a', 'running')], { verdict: 'offline' }), 'offline'],
    [
      'pipedai-api unreachable',
      shell([worker('a', 'running')], { verdict: 'api-unreachable' }),
      'offline',
    ],
    ['no sample yet is not offline', shell([worker('a', 'running')], { verdict: null }), 'running'],
    [
      'a crash loop shows even offline',
      shell([worker('a', 'crashed')], { verdict: 'offline' }),
      'crashloop',
    ],
    ['no workers: not connected', shell([]), 'notconnected'],
    ['no status yet', shell(null), 'offline'],
    [
      'the attached daemon is unreachable',
      shell([worker('a', 'running')], { link: 'reconnecting' }),
      'offline',
    ],
    ['still connecting', shell([], { link: 'connecting' }), 'offline'],
  ];
  it.each(cases)('%s', (_name, state, expected) => {
    expect(aggregateHostState(state)).toBe(expected);
  });

  it('counts a crash loop from the third restart in a row', () => {
    expect(isCrashLooping(worker('a', 'backing-off', { restarts: CRASH_LOOP_RESTARTS - 1 }))).toBe(
      false,
    );
    expect(isCrashLooping(worker('a', 'backing-off', { restarts: CRASH_LOOP_RESTARTS }))).toBe(
      true,
    );
    expect(isCrashLooping(worker('a', 'running', { restarts: 10 }))).toBe(false);
    expect(isCrashLooping(worker('a', null))).toBe(false);
  });
});

/** The sizes an ICO file's directory lists (each entry's first byte: its width). */
function icoSizes(path: string): number[] {
  const ico = readFileSync(path);
  if (ico.readUInt16LE(2) !== 1) return [];
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i]!);
}

describe('tray icons', () => {
  it("uses template images on macOS, the taskbar's theme on Windows, light glyphs on Linux", () => {
    const dark = (app: boolean, taskbar: boolean) => ({ app, taskbar });
    expect(trayTheme('darwin', dark(false, false))).toBe('template');
    expect(trayTheme('darwin', dark(true, true))).toBe('template');
    expect(trayTheme('win32', dark(true, true))).toBe('dark');
    expect(trayTheme('win32', dark(false, false))).toBe('light');
    // Windows' default "custom" mode: light apps on a dark taskbar. The icon sits on the taskbar.
    expect(trayTheme('win32', dark(false, true))).toBe('dark');
    expect(trayTheme('win32', dark(true, false))).toBe('light');
    expect(trayTheme('linux', dark(false, false))).toBe('dark');
  });

  it('names an icon file that exists in build/tray for every state, platform and theme', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', '..', 'build', 'tray');
    const seen = new Set<string>();
    for (const state of HOST_STATES) {
      for (const [platform, dark] of [
        ['darwin', false],
        ['win32', false],
        ['win32', true],
        ['linux', true],
        ['freebsd', true],
      ] as const) {
        const file = trayIconFile(
          state,
          platform,
          trayTheme(platform, { app: dark, taskbar: dark }),
        );
        expect(existsSync(join(dir, file)), file).toBe(true);
        // Electron loads the @2x sibling of a PNG on HiDPI screens; an ICO holds every size.
        if (file.endsWith('.ico'))
          expect(icoSizes(join(dir, file)), file).toEqual([16, 20, 24, 32]);
        else if (!file.includes('@2x'))
          expect(existsSync(join(dir, file.replace('.png', '@2x.png'))), file).toBe(true);
        seen.add(file);
      }
    }
    expect(trayIconFile('crashloop', 'darwin', 'template')).toBe('tray-crashloopTemplate.png');
    expect(trayIconFile('running', 'win32', 'light')).toBe('tray-running-light.ico');
    expect(trayIconFile('offline', 'linux', 'dark')).toBe('tray-offline-dark@2x.png');
    // Other Unix panels: the 16 px file, Electron picking its @2x sibling on HiDPI screens.
    expect(trayIconFile('offline', 'freebsd', 'dark')).toBe('tray-offline-dark.png');
    expect(seen.size).toBe(HOST_STATES.length * 5);
  });
});
