// `pnpm start`: launches the Electron app when its binary is installed. Otherwise it starts
// the browser shell, prints one line with the reason and the URL to open, and opens that URL
// with xdg-open or `open` where one exists; a missing opener is not an error.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createMailApiHandlers } from '../core/mail-api-handlers.ts';
import { buildElectronBundles } from '../../scripts/build-electron.ts';
import { openAppBackend } from './app-backend.ts';
import { startBrowserShell } from './browser-shell.ts';
import { ensureRendererBundle } from './renderer-bundle.ts';

/**
 * Returns the Electron binary's path, or why it cannot be used. Reads the electron package's
 * path.txt instead of requiring the package, because requiring it starts a download when the
 * binary is missing.
 */
function findElectron(): { path: string } | { reason: string } {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'its binary was not downloaded' };
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { reason: `${binary} is missing` };
}

function openInBrowser(url: string): void {
  for (const opener of ['xdg-open', 'open']) {
    if (spawnSync('sh', ['-c', `command -v ${opener}`]).status !== 0) continue;
    spawn(opener, [url], { stdio: 'ignore', detached: true })
      .on('error', () => undefined)
      .unref();
    return;
  }
}

/** Reads SEALPOST_SHELL_PORT: a TCP port, or 0 (the default) for any free one. */
function shellPort(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `SEALPOST_SHELL_PORT=${JSON.stringify(value)} is not a port: set a number from 1 to 65535, or unset it to use any free port.`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  await ensureRendererBundle();
  const electron = findElectron();
  if ('path' in electron) {
    const { main } = await buildElectronBundles();
    const child = spawn(electron.path, [main], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }

  const { session, log } = openAppBackend();
  const port = shellPort(process.env.SEALPOST_SHELL_PORT);
  const shell = await startBrowserShell({
    createHandlers: (emit) => createMailApiHandlers(session, emit),
    bundleDir: await ensureRendererBundle(),
    port,
    log,
  });
  console.log(`Electron is not installed (${electron.reason}), so Sealpost runs in your browser.`);
  console.log(`Open ${shell.url}`);
  openInBrowser(shell.url);

  const stop = () => {
    session.lock();
    void shell.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
