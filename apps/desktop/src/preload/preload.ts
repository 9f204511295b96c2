// Electron preload (sandboxed): exposes the MailApi bridge as `window.sealpost` through
// contextBridge. Bundled into one CommonJS file by build-preload.ts before Electron starts.

import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('sealpost', createPreloadBridge(ipcRenderer));
