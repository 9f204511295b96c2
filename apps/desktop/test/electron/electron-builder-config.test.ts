// What `pnpm dist` does before it needs the Electron binary, checked with electron-builder's
// own code: electron-builder.yml passes its schema, packages only the compiled bundles, and the
// app's node_modules get the native addons but none of the development tools.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_PACKAGES } from '../../scripts/build-electron.ts';
import {
  collectPackagedModules,
  loadBuilderConfiguration,
  type BuilderConfiguration,
} from './electron-builder-lib.ts';

const DESKTOP_DIR = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${DESKTOP_DIR}package.json`, 'utf8')) as {
  name: string;
  dependencies: Record<string, string>;
};

let config: BuilderConfiguration;
let packaged: string[];

beforeAll(async () => {
  config = await loadBuilderConfiguration(DESKTOP_DIR);
  packaged = await collectPackagedModules(DESKTOP_DIR, manifest.name);
}, 120_000);

describe('electron-builder configuration', () => {
  it('starts the compiled main bundle', () => {
    expect(config.extraMetadata?.main).toBe('dist-electron/main.mjs');
  });

  it('packages only compiled code', () => {
    // getConfig normalizes the `files` list of electron-builder.yml into one filter set.
    expect(config.files).toEqual([
      { filter: ['dist-electron/**/*', '!dist-electron/*.map', 'package.json'] },
    ]);
    expect(config.asar).toBe(true);
  });

  it('ships the renderer as a resource', () => {
    expect(config.extraResources).toEqual([{ from: '../../packages/ui/dist', to: 'renderer' }]);
  });

  it('rebuilds native addons for Electron', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
  });
});

describe('packaged node_modules', () => {
  it('declare each native addon', () => {
    for (const name of NATIVE_PACKAGES) expect(manifest.dependencies[name]).toBeDefined();
    expect(manifest.dependencies['@napi-rs/keyring']).toBeDefined();
  });

  it('contain the native addons', () => {
    for (const name of [...NATIVE_PACKAGES, '@napi-rs/keyring']) expect(packaged).toContain(name);
  });

  it('leave out development tools', () => {
    for (const name of ['tsx', 'electron', 'electron-builder', 'esbuild', 'vite', 'vitest']) {
      expect(packaged).not.toContain(name);
    }
  });
});
