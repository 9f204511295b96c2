// A stand-in for the `electron` module, for loading the built main.mjs and preload.cjs under
// Node.js where the Electron binary is missing. It implements only the calls Sealpost's main
// and preload make, and records every option, handler and registration in `recorded`, so a
// test can assert what the bundles asked Electron for and call the handlers they installed.

import { EventEmitter } from 'node:events';

export const recorded = {
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  ipcHandlers: new Map(),
  windows: [],
  appListeners: new Map(),
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  openedExternally: [],
  exposedInMainWorld: new Map(),
  invoked: [],
};

let resolveReady;
const ready = new Promise((resolve) => {
  resolveReady = resolve;
});

export const app = {
  on(event, listener) {
    const listeners = recorded.appListeners.get(event) ?? [];
    listeners.push(listener);
    recorded.appListeners.set(event, listeners);
    return app;
  },
  whenReady() {
    return ready;
  },
  quit() {},
};

/** Resolves app.whenReady(), as Electron does once it finished starting. */
export function emitReady() {
  resolveReady();
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.loadedUrls = [];
    this.webContents = { send() {} };
    recorded.windows.push(this);
  }

  loadURL(url) {
    this.loadedUrls.push(url);
    return Promise.resolve();
  }

  show() {}
}

export const ipcMain = {
  handle(channel, handler) {
    if (recorded.ipcHandlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    recorded.ipcHandlers.set(channel, handler);
  },
};

export class Notification {
  static isSupported() {
    return false;
  }
}

export const protocol = {
  registerSchemesAsPrivileged(schemes) {
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme, handler) {
    recorded.protocolHandlers.set(scheme, handler);
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      recorded.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler) {
      recorded.permissionCheckHandler = handler;
    },
  },
};

export const shell = {
  openExternal(url) {
    recorded.openedExternally.push(url);
    return Promise.resolve();
  },
};

export const contextBridge = {
  exposeInMainWorld(key, api) {
    recorded.exposedInMainWorld.set(key, api);
  },
};

export const ipcRenderer = {
  invoke(channel, argument) {
    recorded.invoked.push([channel, argument]);
    return Promise.resolve({ ok: true, value: null });
  },
  on() {},
  removeListener() {},
};

export default {
  app,
  BrowserWindow,
  ipcMain,
  Notification,
  protocol,
  session,
  shell,
  contextBridge,
  ipcRenderer,
};
