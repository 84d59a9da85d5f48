// The application menu: macOS's menu bar from the pure template, none on Windows and Linux.
import { Menu, app } from 'electron';
import { appMenuTemplate } from './logic/app-menu.ts';
import { PRODUCT_NAME } from './logic/tray.ts';

export function setAppMenu(platform: NodeJS.Platform): void {
  const template = appMenuTemplate({
    platform,
    packaged: app.isPackaged,
    productName: PRODUCT_NAME,
  });
  Menu.setApplicationMenu(template === null ? null : Menu.buildFromTemplate(template));
}
