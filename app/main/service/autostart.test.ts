import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  autostartEntryEnabled,
  autostartPath,
  disableAutostart,
  enableAutostart,
  isAutostartEnabled,
  renderAutostartEntry,
} from './autostart.ts';
import { loadTemplate } from './render.ts';
import { nodeServiceFs } from './system.ts';

const root = mkdtempSync(join(tmpdir(), 'pipedai-autostart-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entry = (exec: string): string =>
  [
    '[Desktop Entry]',
    'Type=Application',
    'Name=PipedAI Orchestrator',
    'Comment=Supervises the PipedAI workers on this computer',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');

describe('renderAutostartEntry', () => {
  it('starts the app itself with its arguments', async () => {
    const template = await loadTemplate('autostart.desktop');
    expect(
      renderAutostartEntry(
        { execPath: '/opt/PipedAI/pipedai-orchestrator', args: ['--hidden'] },
        template,
      ),
    ).toBe(entry('/opt/PipedAI/pipedai-orchestrator --hidden'));
  });

  it('inside an AppImage runs $APPIMAGE, not the temporary mount', async () => {
    const template = await loadTemplate('autostart.desktop');
    const text = renderAutostartEntry(
      {
        execPath: '/tmp/.mount_PipedAxyz/pipedai-orchestrator',
        appImagePath: '/home/First Last/Apps/PipedAI 100%.AppImage',
        args: ['--hidden'],
      },
      template,
    );
    expect(text).toBe(entry('"/home/First Last/Apps/PipedAI 100%%.AppImage" --hidden'));
  });

  it('escapes quotes, dollars and backslashes per the desktop-entry spec', async () => {
    const template = await loadTemplate('autostart.desktop');
    const text = renderAutostartEntry(
      { execPath: '/opt/a "b" $c\\d/app', args: ['--hidden'] },
      template,
    );
    expect(text).toContain('\nExec="/opt/a \\\\"b\\\\" \\\\$c\\\\\\\\d/app" --hidden\n');
  });

  it('refuses a relative program', async () => {
    const template = await loadTemplate('autostart.desktop');
    expect(() => renderAutostartEntry({ execPath: 'pipedai', args: [] }, template)).toThrow(
      /absolute path/,
    );
  });
});

describe('autostart entry on disk', () => {
  it('lives in $XDG_CONFIG_HOME/autostart when that is absolute, else ~/.config/autostart', () => {
    expect(autostartPath({ env: { XDG_CONFIG_HOME: '/x/cfg' }, homedir: '/home/u' })).toBe(
      '/x/cfg/autostart/pipedai-orchestrator.desktop',
    );
    expect(autostartPath({ env: { XDG_CONFIG_HOME: 'cfg' }, homedir: '/home/u' })).toBe(
      '/home/u/.config/autostart/pipedai-orchestrator.desktop',
    );
    expect(autostartPath({ env: {}, homedir: '/home/u' })).toBe(
      '/home/u/.config/autostart/pipedai-orchestrator.desktop',
    );
  });

  it('enable writes it (0644, folder 0700), disable removes it, and the state follows', async () => {
    const homedir = join(root, 'home one');
    const deps = { fs: nodeServiceFs, env: {}, homedir };
    expect(await isAutostartEnabled(deps)).toBe(false);
    const path = await enableAutostart(deps, {
      execPath: '/opt/PipedAI/pipedai-orchestrator',
      args: ['--hidden'],
    });
    expect(path).toBe(join(homedir, '.config', 'autostart', 'pipedai-orchestrator.desktop'));
    expect(readFileSync(path, 'utf8')).toBe(entry('/opt/PipedAI/pipedai-orchestrator --hidden'));
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(statSync(join(homedir, '.config', 'autostart')).mode & 0o777).toBe(0o700);
    expect(await isAutostartEnabled(deps)).toBe(true);
    expect(await disableAutostart(deps)).toBe(true);
    expect(await isAutostartEnabled(deps)).toBe(false);
    expect(await disableAutostart(deps)).toBe(false);
  });

  it('an entry switched off by the desktop settings counts as disabled', async () => {
    const homedir = join(root, 'home two');
    const deps = { fs: nodeServiceFs, env: {}, homedir };
    const path = await enableAutostart(deps, { execPath: '/opt/app', args: [] });
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        'X-GNOME-Autostart-enabled=true',
        'X-GNOME-Autostart-enabled=false',
      ),
    );
    expect(await isAutostartEnabled(deps)).toBe(false);
    expect(autostartEntryEnabled('[Desktop Entry]\nHidden=true\n')).toBe(false);
    expect(autostartEntryEnabled('[Desktop Entry]\nHidden=false\n')).toBe(true);
  });
});
