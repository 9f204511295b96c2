// The Electron window's security settings and the checks main applies to every renderer
// request, kept free of Electron imports so tests can assert them without the binary. The
// renderer is served from the app: protocol (not file://), sandboxed, with no Node access.

export const APP_SCHEME = 'app';
export const APP_HOST = 'sealpost';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * Returns the BrowserWindow options. `preload` is the absolute path of the sandboxed preload,
 * which scripts/build-electron.ts bundles into one CommonJS file beside main.mjs because a
 * sandboxed preload can require nothing but `electron`.
 */
export function createWindowOptions(preload: string) {
  return {
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
      preload,
    },
  } as const;
}

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
