// Resolves request paths to files of the built renderer bundle, for the browser shell's HTTP
// server and Electron's `app:` protocol alike. Paths that leave the bundle folder, hidden
// files and unknown file types are not served. The renderer's Content-Security-Policy is here too.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder Vite writes the renderer bundle to (packages/ui/dist). */
export const SOURCE_BUNDLE_DIR = fileURLToPath(
  new URL('../../../../packages/ui/dist/', import.meta.url),
);

/**
 * Returns the renderer bundle of a packaged app, which electron-builder copies to
 * `<resources>/renderer` (extraResources in electron-builder.yml), or null when
 * `resourcesPath` (Electron's process.resourcesPath) contains none, as in development.
 */
export function packagedBundleDir(resourcesPath: string | undefined): string | null {
  if (!resourcesPath) return null;
  const folder = path.join(resourcesPath, 'renderer');
  return existsSync(path.join(folder, 'index.html')) ? folder : null;
}

/** The bundle the app serves: the packaged copy under Electron's resources, else the built one. */
export const RENDERER_BUNDLE_DIR =
  packagedBundleDir((process as { resourcesPath?: string }).resourcesPath) ?? SOURCE_BUNDLE_DIR;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Builds the renderer's policy: only its own scripts and styles, no inline script, and no remote
 * origin except https: images. A message frame (srcdoc) inherits this policy on top of its own,
 * so https: must be here for "Load remote images" to work. Before that click the frame's own
 * policy blocks it and the sanitizer strips remote sources, and the app's own markup has no
 * remote images. Inline styles stay allowed because sanitized mail HTML uses style
 * attributes. `connectSource` names the shell's WebSocket origin, or is empty under Electron.
 */
export function contentSecurityPolicy(connectSource: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    `connect-src ${connectSource || "'none'"}`,
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface BundleFile {
  body: Buffer;
  contentType: string;
}

/** Returns the bundle file for URL path `urlPath` ("/" is index.html), or null. */
export function readBundleFile(bundleDir: string, urlPath: string): BundleFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((segment) => segment.startsWith('.') || segment === '')) return null;

  const root = path.resolve(bundleDir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return null;

  const contentType = CONTENT_TYPES[path.extname(file)];
  if (!contentType) return null;
  try {
    if (!statSync(file).isFile()) return null;
    return { body: readFileSync(file), contentType };
  } catch {
    return null;
  }
}
