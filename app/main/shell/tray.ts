// The tray icon and its menu, drawn from the pure TrayModel. The context menu is set again on
// every change: some Linux trays ignore clicks and only ever show the attached menu.
import {
  Menu,
  Tray,
  nativeImage,
  nativeTheme,
  type MenuItemConstructorOptions,
  type NativeImage,
} from 'electron';
import { join } from 'node:path';
import { menuLabel } from './logic/app-menu.ts';
import { trayIconFile, trayTheme, type HostState } from './logic/host-state.ts';
import type { MenuItemModel, TrayAction, TrayModel } from './logic/tray.ts';

export function menuTemplate(
  items: readonly MenuItemModel[],
  onAction: (action: TrayAction) => void,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'label':
        return { label: menuLabel(item.label, platform), enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return {
          label: menuLabel(item.label, platform),
          enabled: item.enabled,
          click: () => onAction(item.action),
        };
      case 'checkbox':
        return {
          type: 'checkbox',
          label: menuLabel(item.label, platform),
          checked: item.checked,
          enabled: item.enabled,
          click: () => onAction(item.action),
        };
      case 'submenu':
        return {
          label: menuLabel(item.label, platform),
          submenu: menuTemplate(item.items, onAction, platform),
        };
    }
  });
}

export interface TrayController {
  render(model: TrayModel): void;
  destroy(): void;
}

export function createTrayController(o: {
  iconsDir: string;
  platform: NodeJS.Platform;
  onAction: (action: TrayAction) => void;
  onClick: () => void;
}): TrayController {
  const image = (state: HostState): NativeImage => {
    const theme = trayTheme(o.platform, {
      app: nativeTheme.shouldUseDarkColors,
      taskbar: nativeTheme.shouldUseDarkColorsForSystemIntegratedUI,
    });
    const img = nativeImage.createFromPath(
      join(o.iconsDir, trayIconFile(state, o.platform, theme)),
    );
    if (theme === 'template') img.setTemplateImage(true);
    return img;
  };
  let last: TrayModel | null = null;
  // A checkbox ticks itself when clicked, whatever the model then says (a failed Launch at login
  // stays off): after a click, the next render sets the menu again even if the model is the same.
  let menuStale = false;
  const onAction = (action: TrayAction): void => {
    menuStale = true;
    o.onAction(action);
  };
  const tray = new Tray(image('offline'));
  tray.on('click', o.onClick);
  const onTheme = (): void => {
    if (last) tray.setImage(image(last.icon));
  };
  nativeTheme.on('updated', onTheme);

  return {
    render(model) {
      const prev = last;
      last = model;
      if (prev?.icon !== model.icon) tray.setImage(image(model.icon));
      if (prev?.tooltip !== model.tooltip) tray.setToolTip(model.tooltip);
      if (prev && !menuStale && JSON.stringify(prev.items) === JSON.stringify(model.items)) return;
      menuStale = false;
      tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model.items, onAction, o.platform)));
    },
    destroy() {
      nativeTheme.off('updated', onTheme);
      tray.destroy();
    },
  };
}
