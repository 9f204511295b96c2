// The composer with the SMTP server unreachable, through the browser shell: the account's SMTP
// port is a fault proxy on 127.0.0.1 that refuses connections. One click on Send queues one
// message in the outbox, closes the composer and shows that the next sync sends it again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_SUBMISSION_PORT } from '../e2e/stack.ts';
import { CuttingProxy } from '../sync/cutting-proxy.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

describe('desktop UI composer offline', () => {
  let app: PreparedApp;
  let proxy: CuttingProxy;

  beforeAll(async () => {
    proxy = await CuttingProxy.start(SMTP_SUBMISSION_PORT, 1);
    // The proxy forwards while the account is added, because adding it checks the SMTP login.
    app = await openPreparedApp('composer-offline', { smtpPort: proxy.port });
    proxy.mode = { kind: 'refuse' };
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });

  it('unreachable SMTP queues once', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    const composer = page.getByRole('region', { name: 'New message' });
    await page.getByLabel('To', { exact: true }).fill(app.address);
    await page.getByLabel('Subject', { exact: true }).fill('Queued while offline');
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('encrypted');

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await composer.waitFor({ state: 'detached' });
    await page.locator('.toast', { hasText: 'kept in the outbox' }).waitFor();

    const entries = app.core().mail.listOutbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.state).toBe('queued');
    expect(proxy.cuts).toBeGreaterThan(0);
  });
});
