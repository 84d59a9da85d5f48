// Menus as the operating system draws them: the macOS application menu (Windows and Linux get
// none), and menu label text, where `&` means a mnemonic on Windows and Linux.

/** The Electron menu roles the application menu uses (a subset of MenuItemConstructorOptions.role). */
export type MenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'togglefullscreen'
  | 'windowMenu';

export type AppMenuItem =
  { role: MenuRole } | { type: 'separator' } | { label: string; submenu: AppMenuItem[] };

/**
 * The macOS menu bar while a window is open: the app menu (About, Hide, Quit), Edit (so ⌘C and
 * ⌘V work in the dashboard), View and Window. Reload and the developer tools only in a
 * development run: a packaged app offers neither (its window has no devtools either). null on
 * Windows and Linux, which get no menu bar.
 */
export function appMenuTemplate(o: {
  platform: NodeJS.Platform;
  packaged: boolean;
  productName: string;
}): AppMenuItem[] | null {
  if (o.platform !== 'darwin') return null;
  const sep = { type: 'separator' } as const;
  const role = (r: MenuRole): AppMenuItem => ({ role: r });
  const development: AppMenuItem[] = o.packaged
    ? []
    : [role('reload'), role('forceReload'), role('toggleDevTools'), sep];
  return [
    {
      label: o.productName,
      submenu: [
        role('about'),
        sep,
        role('hide'),
        role('hideOthers'),
        role('unhide'),
        sep,
        role('quit'),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        role('undo'),
        role('redo'),
        sep,
        role('cut'),
        role('copy'),
        role('paste'),
        role('selectAll'),
      ],
    },
    { label: 'View', submenu: [...development, role('togglefullscreen')] },
    role('windowMenu'),
  ];
}

/**
 * Menu text that comes from data (worker labels, errors): on Windows and Linux a single `&`
 * marks the next letter as a mnemonic and disappears, so "R&D" would read "RD"; `&&` is a
 * literal ampersand. macOS menus have no mnemonics and show the text as is.
 */
export function menuLabel(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replaceAll('&', '&&');
}
