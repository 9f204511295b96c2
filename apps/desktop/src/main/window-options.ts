// The Electron window's security settings and the checks main applies to every renderer
// request, kept free of Electron imports so tests can assert them without the binary. The
// renderer is served from the app: protocol (not file://), sandboxed, with no Node access.

import path from 'node:path';
import { RENDERER_BUNDLE_DIR } from '../shell/bundle-files.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'sealpost';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** The sandboxed preload, bundled into one CommonJS file because sandboxed preloads cannot import. */
export const PRELOAD_BUNDLE = path.join(RENDERER_BUNDLE_DIR, 'electron-preload.cjs');

export const WINDOW_OPTIONS = {
  width: 1280,
  height: 820,
  minWidth: 900,
  minHeight: 600,
  title: 'Sealpost',
  show: false,
  webPreferences: {
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    preload: path.resolve(PRELOAD_BUNDLE),
  },
} as const;

/** True only for frames of the app itself, so a frame of message content can never call MailApi. */
export function isTrustedSenderUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** True for links that may open in the system browser once the user confirmed them. */
export function isExternalLink(url: string): boolean {
  try {
    return ['https:', 'http:', 'mailto:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
