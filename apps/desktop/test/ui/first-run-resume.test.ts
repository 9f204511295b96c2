// The first-run screens from core's state, through the browser shell and the local mail stack.
// After the account step, reopening the page and a locked session (as after a restart) both resume at
// the key step. The key step removes the account it added, and after adding it again it
// restores the key from a recovery-code backup. Also covered: the keychain notice in plain
// words with its cause behind "Details", "1 character", and a page load without any 404.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_CALL_TIMEOUT_MS, OsKeychain } from '../../src/core/keystore/keychain.ts';
import { formatFingerprint } from '../../../../packages/ui/src/renderer/fingerprint.ts';
import { stackCertificate, stackPassword, uniqueAddress } from '../e2e/stack.ts';
import { backupFromOtherFolder } from './backup-source.ts';
import { openApp, screenshot } from './harness.ts';
import type { AppUnderTest } from './harness.ts';

const PASSPHRASE = 'first run resume passphrase';

/** Fills and submits the account step for `address` on the local mail stack. */
async function addAccount(page: Page, address: string): Promise<void> {
  await page.getByLabel('E-mail address').fill(address);
  await page.getByLabel('Password', { exact: true }).fill(stackPassword(address));
  await page.getByLabel('Password', { exact: true }).press('Tab');
  await expect.poll(() => page.locator('#imap-host').inputValue()).toBe('127.0.0.1');
  await page.getByLabel('Pinned server certificate (PEM, optional)').fill(stackCertificate());
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByText('IMAP: login succeeded.').waitFor();
  await page.getByText('SMTP: login succeeded.').waitFor();
  await page.getByRole('button', { name: 'Add account' }).click();
}

describe('first-run resume', () => {
  let app: AppUnderTest;
  const address = uniqueAddress('resume');
  const keyStep = () => app.page.getByRole('heading', { name: `2. Your key for ${address}` });
  const accountStep = () => app.page.getByRole('heading', { name: '1. Add your mail account' });
  // A browser reload: the address bar no longer has the token, so the tab's stored copy is used.
  const reopen = async () => {
    await app.page.reload();
  };

  beforeAll(async () => {
    app = await openApp('resume');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('short passphrase error is singular', async () => {
    const page = app.page;
    await page.getByLabel('Sealpost passphrase', { exact: true }).fill('x');
    await page.getByLabel('Repeat the passphrase').fill('x');
    await page.getByRole('button', { name: 'Create' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('has 1 character;');
  });

  it('keychain notice hides its cause', async () => {
    // No D-Bus session bus listens there, so the probe of the keychain fails with a cause.
    const unreachable = new OsKeychain(KEYCHAIN_CALL_TIMEOUT_MS, {
      ...process.env,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sealpost-test-bus',
    });
    const noBus = await openApp('resume-no-bus', undefined, {}, { keychain: unreachable });
    try {
      // The notice is on the passphrase screen, because it gives the reason for the passphrase.
      const notice = noBus.page.locator('.notice', { hasText: 'No OS keychain is available' });
      const sentence = (await notice.locator('> p').textContent()) ?? '';
      expect(sentence).toContain('No OS keychain is available.');
      expect(sentence).not.toContain('(');
      expect(sentence).not.toContain('--');
      const details = notice.locator('details');
      expect(await details.getAttribute('open')).toBeNull();
      await details.getByText('Details').click();
      const cause = (await details.locator('.detail').textContent()) ?? '';
      expect(cause).toContain('Secret Service');
      expect(sentence).not.toContain(cause);
    } finally {
      await noBus.close();
    }

    const page = app.page;
    await page.getByLabel('Sealpost passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Create' }).click();
    await accountStep().waitFor();
  });

  it('reopening resumes at the key step', async () => {
    await addAccount(app.page, address);
    await keyStep().waitFor();

    await reopen();
    await keyStep().waitFor();
    expect(await accountStep().count()).toBe(0);
  });

  it('restart resumes at the key step', async () => {
    // Locking drops core's in-memory state, so unlocking reads the data folder like a restart.
    app.session.lock();
    await reopen();
    await app.page.getByLabel('Sealpost passphrase', { exact: true }).fill(PASSPHRASE);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await keyStep().waitFor();
    expect(await accountStep().count()).toBe(0);
  });

  it('key step removes the account', async () => {
    const page = app.page;
    await page.getByRole('button', { name: `Remove ${address}` }).click();
    const dialog = page.getByRole('dialog', { name: `Remove ${address}?` });
    await dialog.getByRole('button', { name: 'Remove account' }).click();
    await accountStep().waitFor();
    expect(app.session.require().accounts.list()).toEqual([]);

    await reopen();
    await accountStep().waitFor();
  });

  it('restores the key from a backup', async () => {
    const page = app.page;
    const backup = await backupFromOtherFolder(address);
    await addAccount(page, address);
    await keyStep().waitFor();
    expect(
      app.session
        .require()
        .accounts.list()
        .map((account) => account.email),
    ).toEqual([address]);

    await page.getByLabel('Backup file (from key export --backup)').setInputFiles({
      name: 'sealpost-backup.asc',
      mimeType: 'text/plain',
      buffer: Buffer.from(backup.armored),
    });
    // One digit changed: the backup does not decrypt and nothing is stored.
    const wrongCode = backup.recoveryCode.replace(/^\d/, (digit) =>
      String((Number(digit) + 1) % 10),
    );
    await page.getByLabel('Recovery code').fill(wrongCode);
    await page.getByRole('button', { name: 'Restore backup' }).click();
    await page.getByRole('alert').waitFor();
    expect(app.session.require().keys.list()).toEqual([]);

    await page.getByLabel('Recovery code').fill(backup.recoveryCode);
    await page.getByRole('button', { name: 'Restore backup' }).click();
    const fingerprint = await page.getByTestId('own-fingerprint').textContent();
    expect(fingerprint?.trim()).toBe(formatFingerprint(backup.identities[0]!.fingerprint));
    expect(
      app.session
        .require()
        .keys.list()
        .map((key) => key.fingerprint),
    ).toEqual([backup.identities[0]!.fingerprint]);
    await screenshot(page, 'onboarding-restored');
    await page.getByRole('button', { name: 'Open mailbox' }).click();
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
  });

  it('page load gets no 404', async () => {
    const page = app.page;
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await reopen();
    await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
    expect(failed).toEqual([]);

    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBeTruthy();
    const response = await page.request.get(new URL(icon!, page.url()).href);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/svg+xml');
  });
});
