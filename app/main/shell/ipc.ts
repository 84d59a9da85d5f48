// Electron's side of the IPC door: three invoke channels, each answered by the pure door after
// the sender check. Frames to the window go through the window controller's send.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC } from '../../shared/ipc.ts';
import type { CommandTarget } from '../../shared/index.ts';
import { createIpcDoor } from './logic/ipc.ts';
import { isTrustedSender, type SenderInfo } from './logic/window.ts';
import { errorDetail } from '../../shared/index.ts';

export function senderOf(event: IpcMainInvokeEvent): SenderInfo {
  let frameUrl: string | null = null;
  let isMainFrame = false;
  try {
    const frame = event.senderFrame;
    if (frame) {
      frameUrl = frame.url;
      isMainFrame = frame.parent === null;
    }
  } catch {
    // The frame navigated or was destroyed meanwhile: not trusted.
  }
  return { webContentsId: event.sender.id, frameUrl, isMainFrame };
}

export function registerIpcDoor(o: {
  target: CommandTarget;
  /** Our window's web contents (null while no window exists) and the origins of our page. */
  expected: () => { webContentsId: number | null; appOrigins: readonly string[] };
  log: (line: string) => void;
}): () => void {
  const door = createIpcDoor({
    target: o.target,
    isTrustedSender: (sender) => isTrustedSender(sender, o.expected()),
    onInternalError: (e, what) => o.log(`internal error in ${what}: ${errorDetail(e)}`),
  });
  ipcMain.handle(IPC.invoke, (event, name: unknown, input: unknown) =>
    door.invoke(senderOf(event), name, input),
  );
  ipcMain.handle(IPC.snapshot, (event) => door.snapshot(senderOf(event)));
  ipcMain.handle(IPC.connection, (event) => door.connection(senderOf(event)));
  return () => {
    ipcMain.removeHandler(IPC.invoke);
    ipcMain.removeHandler(IPC.snapshot);
    ipcMain.removeHandler(IPC.connection);
  };
}
