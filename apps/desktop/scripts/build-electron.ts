// Compiles the Electron main process and preload with esbuild into apps/desktop/dist-electron,
// so the packaged app runs JavaScript without tsx. main.mjs is one ES module (Electron 28 and
// later load ESM main scripts) that leaves `electron` and the native addons to the app's
// node_modules. preload.cjs is one CommonJS file that requires only `electron`, as a sandboxed
// preload must. Nothing else writes to dist-electron, so no other build step deletes these files.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const DESKTOP_DIR = fileURLToPath(new URL('../', import.meta.url));

/** The folder the bundles go to; electron-builder.yml packages it and no other code folder. */
export const ELECTRON_BUILD_DIR = path.join(DESKTOP_DIR, 'dist-electron');
export const MAIN_BUNDLE = path.join(ELECTRON_BUILD_DIR, 'main.mjs');
export const PRELOAD_BUNDLE = path.join(ELECTRON_BUILD_DIR, 'preload.cjs');
/** The ratchet worker thread; RatchetClient looks for it next to the bundle that imports it. */
export const RATCHET_WORKER_BUNDLE = path.join(ELECTRON_BUILD_DIR, 'ratchet-worker.mjs');

/**
 * Packages with a compiled addon (.node file). The bundle imports them from the app's
 * node_modules, where electron-builder rebuilds them for Electron's ABI, so each must be a
 * production dependency of @sealpost/desktop.
 */
export const NATIVE_PACKAGES = ['better-sqlite3-multiple-ciphers', 'pcsclite', 'node-hid'];

/**
 * Files that bundled modules locate next to themselves with `new URL(name, import.meta.url)`.
 * In the bundle that URL is main.mjs's, so each is copied beside it.
 */
const BESIDE_BUNDLE = [
  // OsKeychain runs it as a child process; it imports @napi-rs/keyring (native) itself.
  'src/core/keystore/keychain-call.mjs',
];

/**
 * CommonJS dependencies call require() and read __dirname, which an ES module lacks, so the
 * bundle defines them first. esbuild's require shim uses a `require` in scope when one exists.
 */
const ESM_PRELUDE = [
  "import { createRequire as __sealpostCreateRequire } from 'node:module';",
  "import { fileURLToPath as __sealpostFileURLToPath } from 'node:url';",
  "import { dirname as __sealpostDirname } from 'node:path';",
  'const require = __sealpostCreateRequire(import.meta.url);',
  'const __filename = __sealpostFileURLToPath(import.meta.url);',
  'const __dirname = __sealpostDirname(__filename);',
].join('\n');

/** Options of every bundle: one file with its dependencies, and only warnings logged. */
const BUNDLE = { bundle: true, logLevel: 'warning' } satisfies BuildOptions;

/** Options of the ES module bundles that run in Node.js: main.mjs and the ratchet worker. */
const NODE_ESM_BUNDLE = {
  ...BUNDLE,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: ESM_PRELUDE },
} satisfies BuildOptions;

/**
 * Builds main.mjs, preload.cjs and the files beside them into ELECTRON_BUILD_DIR. Each build
 * writes to its own staging folder first and then renames every file into place, so a test
 * or `pnpm start` running at the same time never reads a half-written bundle.
 */
export async function buildElectronBundles(): Promise<{ main: string; preload: string }> {
  mkdirSync(ELECTRON_BUILD_DIR, { recursive: true });
  const staging = mkdtempSync(path.join(ELECTRON_BUILD_DIR, '.staging-'));
  try {
    await build({
      ...NODE_ESM_BUNDLE,
      entryPoints: [path.join(DESKTOP_DIR, 'src/main/main.ts')],
      outfile: path.join(staging, path.basename(MAIN_BUNDLE)),
      external: ['electron', ...NATIVE_PACKAGES],
      sourcemap: 'linked',
    });

    await build({
      ...NODE_ESM_BUNDLE,
      entryPoints: [path.join(DESKTOP_DIR, '../../packages/crypto-core/src/ratchet/worker.ts')],
      outfile: path.join(staging, path.basename(RATCHET_WORKER_BUNDLE)),
    });

    await build({
      ...BUNDLE,
      entryPoints: [path.join(DESKTOP_DIR, 'src/preload/preload.ts')],
      outfile: path.join(staging, path.basename(PRELOAD_BUNDLE)),
      platform: 'browser',
      format: 'cjs',
      target: 'chrome120',
      external: ['electron'],
    });

    for (const file of BESIDE_BUNDLE) {
      copyFileSync(path.join(DESKTOP_DIR, file), path.join(staging, path.basename(file)));
    }
    for (const name of readdirSync(staging)) {
      renameSync(path.join(staging, name), path.join(ELECTRON_BUILD_DIR, name));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { main: MAIN_BUNDLE, preload: PRELOAD_BUNDLE };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const built = await buildElectronBundles();
  console.log(`Built ${built.main} and ${built.preload}.`);
}
