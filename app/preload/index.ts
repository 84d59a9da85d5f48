// The preload: exposes exactly the renderer's Bridge as `window.pipedai`, nothing else. It runs
// sandboxed, so it is bundled into one CommonJS file that requires only `electron`.
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('pipedai', createIpcBridge(ipcRenderer));
