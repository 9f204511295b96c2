// Loads the built main.mjs (path in argv[2]) under Node.js with electron-stand-in.mjs in place
// of `electron` and lets it start. Then it plays what a renderer would cause: navigation,
// window.open, a permission request, app: protocol requests, and MailApi calls from the app's
// frame and from a foreign one. It prints what main did as one JSON line after "REPORT ". Run
// it in a child process with SEALPOST_HOME set, because main opens that folder.

import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

register('./resolve-electron.mjs', import.meta.url);
const { emitReady, recorded } = await import('./electron-stand-in.mjs');

const bundle = process.argv[2];
if (!bundle) throw new Error('Usage: node load-main.mjs <path of main.mjs>');
await import(pathToFileURL(bundle).href);
const schemesBeforeReady = recorded.privilegedSchemes.length;

emitReady();
while (recorded.windows.length === 0) await sleep(10);

// A web contents as Electron creates one per window and frame host.
const contentsListeners = new Map();
let windowOpenHandler = null;
const contents = {
  on(event, listener) {
    contentsListeners.set(event, listener);
  },
  setWindowOpenHandler(handler) {
    windowOpenHandler = handler;
  },
};
for (const listener of recorded.appListeners.get('web-contents-created') ?? []) {
  listener({}, contents);
}

function preventedBy(event) {
  const listener = contentsListeners.get(event);
  if (!listener) return null;
  let prevented = false;
  listener({ preventDefault: () => (prevented = true) }, 'https://attacker.test/');
  return prevented;
}

const windowOpen = {};
for (const url of ['https://example.org/', 'file:///etc/passwd', 'javascript:alert(1)']) {
  windowOpen[url] = windowOpenHandler ? windowOpenHandler({ url }) : null;
}

let permissionGranted = null;
recorded.permissionRequestHandler?.({}, 'media', (granted) => (permissionGranted = granted));
const permissionCheck = recorded.permissionCheckHandler?.({}, 'media', 'app://sealpost', {});

const appHandler = recorded.protocolHandlers.get('app');
const responses = {};
for (const url of [
  'app://sealpost/index.html',
  'app://sealpost/%2e%2e/package.json',
  'app://sealpost/.hidden',
]) {
  const response = await appHandler(new globalThis.Request(url));
  responses[url] = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    contentSecurityPolicy: response.headers.get('content-security-policy'),
  };
}

const appFrame = { senderFrame: { url: 'app://sealpost/index.html' } };
const statusHandler = recorded.ipcHandlers.get('session:status');
const calls = {
  foreign: await statusHandler({ senderFrame: { url: 'https://attacker.test/' } }, undefined),
  missingFrame: await statusHandler({ senderFrame: null }, undefined),
  app: await statusHandler(appFrame, undefined),
  // Creates the data folder's keys and opens its encrypted SQLite database, so the native
  // driver must load from the bundle. Without a keychain the passphrase protects the folder.
  unlock: await recorded.ipcHandlers.get('session:unlock')(appFrame, {
    passphrase: 'bundle test passphrase',
  }),
  folders: await recorded.ipcHandlers.get('mail:folders')(appFrame, undefined),
};

for (const listener of recorded.appListeners.get('before-quit') ?? []) listener();

const [window] = recorded.windows;
const report = {
  schemesBeforeReady,
  privilegedSchemes: recorded.privilegedSchemes,
  protocolSchemes: [...recorded.protocolHandlers.keys()],
  ipcChannels: [...recorded.ipcHandlers.keys()],
  windowCount: recorded.windows.length,
  windowOptions: window.options,
  preloadExists: existsSync(window.options.webPreferences.preload),
  loadedUrls: window.loadedUrls,
  willNavigatePrevented: preventedBy('will-navigate'),
  willAttachWebviewPrevented: preventedBy('will-attach-webview'),
  windowOpen,
  openedExternally: recorded.openedExternally,
  permissionGranted,
  permissionCheck,
  responses,
  calls,
};
console.log(`REPORT ${JSON.stringify(report)}`);
process.exit(0);
