// The MailApi contract across its three sides. The core handler table, the Electron main
// routes and the preload bridge each cover exactly MAIL_API_METHODS. The validation layer
// shared by main and the browser shell rejects wrong argument types with a clear error.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatchMailApi, MAIL_API_EVENTS, MAIL_API_METHODS } from '@sealpost/ui';
import type { MailApi } from '@sealpost/ui';
import { AppSession } from '../../src/core/app-session.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { ensureDataPaths, resolveDataPaths } from '../../src/core/paths.ts';
import { mailApiRoutes } from '../../src/main/ipc-routes.ts';
import { APP_START_URL } from '../../src/main/window-options.ts';
import { createPreloadBridge } from '../../src/preload/bridge.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-ipc-'));
const paths = resolveDataPaths({ SEALPOST_HOME: home });
ensureDataPaths(paths);
const session = new AppSession({ paths, log: createSilentLogger(), keychain: null });
const handlers: MailApi = createMailApiHandlers(session, () => undefined);

afterAll(() => {
  session.lock();
  rmSync(home, { recursive: true, force: true });
});

describe('MailApi sides', () => {
  it('method names are domain:verb', () => {
    for (const method of MAIL_API_METHODS) expect(method).toMatch(/^[a-z]+:[a-z]+$/);
  });

  it('core handler table covers every method', () => {
    expect(Object.keys(handlers).sort()).toEqual([...MAIL_API_METHODS].sort());
  });

  it('main registers one route per method', () => {
    const channels = mailApiRoutes(handlers).map((route) => route.channel);
    expect(channels.sort()).toEqual([...MAIL_API_METHODS].sort());
  });

  it('preload exposes every method and subscribe', async () => {
    const invoked: Array<[string, unknown]> = [];
    const bridge = createPreloadBridge({
      invoke: async (channel, argument) => {
        invoked.push([channel, argument]);
        return { ok: true, value: null };
      },
      on: () => undefined,
      removeListener: () => undefined,
    });
    expect(Object.keys(bridge).sort()).toEqual([...MAIL_API_METHODS, 'subscribe'].sort());
    expect(MAIL_API_EVENTS).toEqual(['sync:progress', 'mail:new', 'securitykey:prompt']);
    for (const method of MAIL_API_METHODS) await bridge[method](undefined as never);
    expect(invoked.map(([channel]) => channel)).toEqual(MAIL_API_METHODS);
  });
});

describe('MailApi validation', () => {
  it('rejects a string where a number belongs', async () => {
    const result = await dispatchMailApi(handlers, 'mail:read', { id: '7' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_ARGUMENT');
    expect(result.error.message).toContain('Invalid argument for mail:read');
    expect(result.error.message).toContain('id:');
  });

  it('rejects a short security key PIN', async () => {
    const result = await dispatchMailApi(handlers, 'securitykey:unlock', { pin: '123' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (result.ok) return;
    expect(result.error.message).toContain('pin:');
  });

  it('rejects unknown keys', async () => {
    const result = await dispatchMailApi(handlers, 'session:unlock', {
      passphrase: 'x'.repeat(12),
      extra: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('rejects arguments for a method without any', async () => {
    const result = await dispatchMailApi(handlers, 'mail:folders', { all: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('rejects a missing argument object', async () => {
    const result = await dispatchMailApi(handlers, 'mail:list', null);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('rejects an out-of-range port', async () => {
    const server = { host: '127.0.0.1', port: 70000, security: 'tls', user: 'a' };
    const result = await dispatchMailApi(handlers, 'account:test', {
      email: 'a@example.org',
      displayName: null,
      imap: server,
      smtp: server,
      password: 'p',
      pinnedCertificate: null,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('imap.port');
    expect(result.error.message).toContain('smtp.port');
  });

  it('rejects an unknown channel', async () => {
    const result = await dispatchMailApi(handlers, 'fs:read', { path: '/etc/passwd' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('fails closed while locked', async () => {
    const result = await dispatchMailApi(handlers, 'mail:folders', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'PASSPHRASE_REQUIRED' } });
  });

  it('main rejects a foreign sender frame', async () => {
    const route = mailApiRoutes(handlers).find((entry) => entry.channel === 'session:status')!;
    const foreign = await route.handle('https://attacker.test/', undefined);
    expect(foreign).toMatchObject({ ok: false, error: { code: 'SENDER_REJECTED' } });
    const missing = await route.handle(undefined, undefined);
    expect(missing).toMatchObject({ ok: false, error: { code: 'SENDER_REJECTED' } });
    const own = await route.handle(APP_START_URL, undefined);
    expect(own).toMatchObject({ ok: true, value: { unlocked: false, choosingPassphrase: true } });
  });

  it('says why a new folder needs a passphrase', async () => {
    const status = await session.status();
    expect(status.choosingPassphrase).toBe(true);
    expect(status.notices).toHaveLength(1);
    expect(status.notices[0]).toMatch(
      /^No OS keychain is available\. Your keys are protected by the Sealpost passphrase/,
    );
  });
});
