// Builds dist-electron (main.mjs, preload.cjs) and the renderer bundle once per test file, so
// the Electron tests check the compiled output that electron-builder packages.

import { buildElectronBundles } from '../../scripts/build-electron.ts';
import { ensureRendererBundle } from '../../src/shell/renderer-bundle.ts';

let pending: Promise<{ main: string; preload: string }> | null = null;

export function builtBundles(): Promise<{ main: string; preload: string }> {
  pending ??= ensureRendererBundle().then(() => buildElectronBundles());
  return pending;
}
