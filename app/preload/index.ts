// The preload bridge: exposes exactly the renderer's Bridge through contextBridge (desktop issue).
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('pipedai', {});
