// Helpers for the UI tests: starts the browser shell on a fresh data folder (no OS keychain,
// so the passphrase screens run), drives Debian's Chromium through playwright-core, records
// every request the page makes, and runs a local HTTP server that plays a remote host and
// counts its hits. Everything listens on 127.0.0.1 only.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { AppSession } from '../../src/core/app-session.ts';
import type { AppSessionOptions } from '../../src/core/app-session.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import type { DataPaths } from '../../src/core/paths.ts';
import { startBrowserShell } from '../../src/shell/browser-shell.ts';
import type { BrowserShell } from '../../src/shell/browser-shell.ts';
import { ensureRendererBundle } from '../../src/shell/renderer-bundle.ts';
import { repositoryRoot } from '../e2e/stack.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(repositoryRoot, 'docs', 'screenshots');

export interface AppUnderTest {
  home: string;
  session: AppSession;
  shell: BrowserShell;
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface BrowserOptions {
  /** Accepts the self-signed certificate of a test HTTPS server on 127.0.0.1. */
  ignoreHTTPSErrors?: boolean;
  /** Permissions granted up front, e.g. "notifications". */
  permissions?: string[];
}

/** Starts a shell on a new data folder and opens it in a new Chromium profile. */
export async function openApp(
  name: string,
  prepare?: (paths: DataPaths) => Promise<void>,
  browser: BrowserOptions = {},
  /** Session options for FIDO2 tests: the security key, its touch timeout, a keychain. */
  sessionOptions: Pick<AppSessionOptions, 'keychain' | 'fido2Device' | 'fido2TimeoutMs'> = {},
): Promise<AppUnderTest> {
  const home = mkdtempSync(path.join(os.tmpdir(), `sealpost-ui-${name}-`));
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  await prepare?.(paths);
  const log = createSilentLogger();
  const session = new AppSession({ paths, log, keychain: null, ...sessionOptions });
  const shell = await startBrowserShell({
    createHandlers: (emit) => createMailApiHandlers(session, emit),
    bundleDir: await ensureRendererBundle(),
    port: 0,
    log,
  });

  const profile = mkdtempSync(path.join(os.tmpdir(), `sealpost-chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    ignoreHTTPSErrors: browser.ignoreHTTPSErrors ?? false,
    permissions: browser.permissions ?? [],
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(20_000);
  if (browser.permissions?.length) {
    await context.grantPermissions(browser.permissions, { origin: shell.origin });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  await page.goto(shell.url);

  return {
    home,
    session,
    shell,
    context,
    page,
    requests,
    async close() {
      await context.close();
      await shell.close();
      session.lock();
      rmSync(home, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface HitRecorder {
  origin: string;
  hits: string[];
  close(): Promise<void>;
}

// A 1x1 transparent PNG, served for paths ending in .png so an allowed image really renders.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Starts a server on 127.0.0.1 that records the path of every request it receives. With
 * `tls`, it serves HTTPS with a self-signed certificate for 127.0.0.1 made by openssl, which
 * only a browser opened with `ignoreHTTPSErrors` accepts.
 */
export async function startHitRecorder(options: { tls?: boolean } = {}): Promise<HitRecorder> {
  const hits: string[] = [];
  const record = (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '/';
    hits.push(url);
    if (url.endsWith('.png')) {
      response.writeHead(200, { 'Content-Type': 'image/png' }).end(PIXEL_PNG);
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>recorded</p>');
    }
  };
  const server = options.tls
    ? createHttpsServer(selfSignedCertificate(), record)
    : createServer(record);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-tls-'));
  try {
    const key = path.join(folder, 'key.pem');
    const cert = path.join(folder, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Saves a screenshot of the page as docs/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}
