import { describe, expect, it } from 'vitest';
import { appMenuTemplate, menuLabel, type AppMenuItem } from './app-menu.ts';

/** Every role in a template, depth first. */
const roles = (items: readonly AppMenuItem[]): string[] =>
  items.flatMap((i) => ('role' in i ? [i.role] : 'submenu' in i ? roles(i.submenu) : []));

describe('application menu', () => {
  const of = (packaged: boolean) =>
    appMenuTemplate({ platform: 'darwin', packaged, productName: 'PipedAI Orchestrator' });

  it('a packaged macOS app offers neither Reload nor the developer tools', () => {
    const packaged = roles(of(true)!);
    expect(packaged).not.toContain('reload');
    expect(packaged).not.toContain('forceReload');
    expect(packaged).not.toContain('toggleDevTools');
    // What a Mac app needs: About, Hide, Quit, the Edit shortcuts, the Window menu.
    expect(packaged).toEqual(
      expect.arrayContaining(['about', 'hide', 'quit', 'copy', 'paste', 'selectAll', 'windowMenu']),
    );
    expect(of(true)![0]).toMatchObject({ label: 'PipedAI Orchestrator' });
  });

  it('a development run keeps Reload and the developer tools', () => {
    expect(roles(of(false)!)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(of(false)![2]).toEqual({
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    });
  });

  it('is the menu bar a Mac user expects, in its order', () => {
    const sep = { type: 'separator' };
    expect(of(true)).toEqual([
      {
        label: 'PipedAI Orchestrator',
        submenu: [
          { role: 'about' },
          sep,
          { role: 'hide' },
          { role: 'hideOthers' },
          { role: 'unhide' },
          sep,
          { role: 'quit' },
        ],
      },
      {
        label: 'Edit',
        submenu: [
          { role: 'undo' },
          { role: 'redo' },
          sep,
          { role: 'cut' },
          { role: 'copy' },
          { role: 'paste' },
          { role: 'selectAll' },
        ],
      },
      { label: 'View', submenu: [{ role: 'togglefullscreen' }] },
      { role: 'windowMenu' },
    ]);
  });

  it('Windows and Linux get no menu bar', () => {
    for (const platform of ['win32', 'linux'] as const)
      expect(appMenuTemplate({ platform, packaged: true, productName: 'x' })).toBeNull();
  });
});

describe('menu labels', () => {
  it('an & in data is a literal ampersand on Windows and Linux, not a mnemonic', () => {
    expect(menuLabel('R&D — running', 'win32')).toBe('R&&D — running');
    expect(menuLabel('a && b & c', 'linux')).toBe('a &&&& b && c');
    expect(menuLabel('no ampersand', 'linux')).toBe('no ampersand');
  });

  it('macOS shows the text as is', () => {
    expect(menuLabel('R&D', 'darwin')).toBe('R&D');
  });
});
