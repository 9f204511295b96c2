// Electron glue only: serves the renderer from the app: protocol, opens the locked-down window
// from createWindowOptions, denies navigation, new windows and permission requests, and
// registers the MailApi routes. Every decision lives in modules without Electron imports.
// It runs only as the bundle apps/desktop/dist-electron/main.mjs (scripts/build-electron.ts),
// so `import.meta.url` below is that bundle's URL, not this file's.

import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, Notification, protocol, session, shell } from 'electron';
import { createMailApiHandlers } from '../core/mail-api-handlers.ts';
import type { EventSink } from '../core/mail-api-handlers.ts';
import { openAppBackend } from '../shell/app-backend.ts';
import { contentSecurityPolicy, packagedBundleDir, readBundleFile } from '../shell/bundle-files.ts';
import { mailApiRoutes } from './ipc-routes.ts';
import {
  APP_SCHEME,
  APP_START_URL,
  createWindowOptions,
  isExternalLink,
} from './window-options.ts';

/** The preload bundle, built beside main.mjs. */
const PRELOAD_PATH = fileURLToPath(new URL('./preload.cjs', import.meta.url));

/**
 * The renderer bundle: the packaged copy under the resources folder, else packages/ui/dist of
 * the source tree that dist-electron was built in (for `pnpm start` with the Electron binary).
 */
const RENDERER_DIR =
  packagedBundleDir(process.resourcesPath) ??
  fileURLToPath(new URL('../../../packages/ui/dist/', import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let window: BrowserWindow | null = null;

const emit: EventSink = (event, payload) => {
  window?.webContents.send(event, payload);
  if (event === 'mail:new' && Notification.isSupported()) {
    const { account, count } = payload as { account: string; count: number };
    new Notification({ title: 'Sealpost', body: `${count} new message(s) for ${account}` }).show();
  }
};

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // The renderer asks the user before it opens a link; the link then goes to the system browser.
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

app.whenReady().then(() => {
  const policy = contentSecurityPolicy('');
  protocol.handle(APP_SCHEME, (request) => {
    const file = readBundleFile(RENDERER_DIR, new URL(request.url).pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: { 'Content-Type': file.contentType, 'Content-Security-Policy': policy },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);

  const backend = openAppBackend();
  const handlers = createMailApiHandlers(backend.session, emit);
  for (const route of mailApiRoutes(handlers)) {
    ipcMain.handle(route.channel, (event, argument: unknown) =>
      route.handle(event.senderFrame?.url, argument),
    );
  }

  window = new BrowserWindow(createWindowOptions(PRELOAD_PATH));
  window.once('ready-to-show', () => window?.show());
  void window.loadURL(APP_START_URL);
  app.on('before-quit', () => backend.session.lock());
});

app.on('window-all-closed', () => app.quit());
