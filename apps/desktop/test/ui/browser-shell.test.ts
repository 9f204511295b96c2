// The browser shell's WebSocket guard. Connections without the per-start token, with a wrong
// token or from another origin are rejected before any MailApi call. The right token and
// origin reach the same validated MailApi as Electron's main process.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AppSession } from '../../src/core/app-session.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { startBrowserShell } from '../../src/shell/browser-shell.ts';
import type { BrowserShell } from '../../src/shell/browser-shell.ts';
import { ensureRendererBundle } from '../../src/shell/renderer-bundle.ts';

let shell: BrowserShell;
let session: AppSession;
const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-shell-'));

beforeAll(async () => {
  const paths = resolveDataPaths({ SEALPOST_HOME: home });
  ensureDataPaths(paths);
  const log = createSilentLogger();
  session = new AppSession({ paths, log, keychain: null });
  shell = await startBrowserShell({
    createHandlers: (emit) => createMailApiHandlers(session, emit),
    bundleDir: await ensureRendererBundle(),
    port: 0,
    log,
  });
});

afterAll(async () => {
  await shell?.close();
  session?.lock();
  rmSync(home, { recursive: true, force: true });
});

/** Resolves to the HTTP status of a refused upgrade, or 101 when the socket opened. */
function connect(
  url: string,
  origin: string | undefined,
): Promise<{ status: number; socket: WebSocket }> {
  const socket = new WebSocket(url, origin ? { origin } : {});
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) =>
      resolve({ status: response.statusCode ?? 0, socket }),
    );
    socket.once('error', () => resolve({ status: 0, socket }));
  });
}

const wsBase = () => shell.origin.replace('http:', 'ws:');

describe('browser shell', () => {
  it('names a port in use', async () => {
    const port = Number(new URL(shell.origin).port);
    const second = startBrowserShell({
      createHandlers: (emit) => createMailApiHandlers(session, emit),
      bundleDir: await ensureRendererBundle(),
      port,
      log: createSilentLogger(),
    });
    await expect(second).rejects.toThrow(`Port ${port} on 127.0.0.1 is in use`);
  });

  it('rejects a connection without token', async () => {
    const { status } = await connect(`${wsBase()}/api`, shell.origin);
    expect(status).toBe(403);
  });

  it('rejects a wrong token', async () => {
    const wrong = 'A'.repeat(shell.token.length);
    const { status } = await connect(`${wsBase()}/api?token=${wrong}`, shell.origin);
    expect(status).toBe(403);
  });

  it('rejects another origin', async () => {
    const url = `${wsBase()}/api?token=${shell.token}`;
    expect((await connect(url, 'http://evil.test')).status).toBe(403);
    expect((await connect(url, undefined)).status).toBe(403);
  });

  it('serves MailApi with token and origin', async () => {
    const { status, socket } = await connect(`${wsBase()}/api?token=${shell.token}`, shell.origin);
    expect(status).toBe(101);
    const reply = new Promise<unknown>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(data.toString()))),
    );
    socket.send(JSON.stringify({ id: 1, method: 'mail:read', request: { id: 'one' } }));
    expect(await reply).toMatchObject({
      id: 1,
      result: { ok: false, error: { code: 'INVALID_ARGUMENT' } },
    });
    socket.close();
  });

  it('serves the bundle with the policy header', async () => {
    const response = await fetch(`${shell.origin}/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain(`connect-src ws://127.0.0.1:${new URL(shell.origin).port}`);
    expect((await fetch(`${shell.origin}/../package.json`)).status).toBe(404);
  });
});
