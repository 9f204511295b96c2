// The first-run account form in the desktop UI, through the browser shell and the local mail
// stack. The no-keychain message appears once, on the passphrase screen, a failed connection test explains why Add
// account stays off, and editing a field hides the old result until the next test. A backup
// made for another address then restores nothing at the key step.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackCertificate, stackPassword, uniqueAddress } from '../e2e/stack.ts';
import { backupFromOtherFolder } from './backup-source.ts';
import { openApp, screenshot } from './harness.ts';
import type { AppUnderTest } from './harness.ts';

describe('desktop UI account form', () => {
  let app: AppUnderTest;
  const address = uniqueAddress('form');

  beforeAll(async () => {
    app = await openApp('account-form');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keychain message shows once', async () => {
    const page = app.page;
    // Case-sensitive, so the lower-case cause behind Details is not counted.
    const keychainWords = page.getByText(/No OS keychain is available/);
    // The passphrase screen shows the reason once, and the account step does not repeat it.
    await page.getByLabel('Repeat the passphrase').waitFor();
    expect(await keychainWords.count()).toBe(1);
    await page.getByLabel('Sealpost passphrase', { exact: true }).fill('account form passphrase');
    await page.getByLabel('Repeat the passphrase').fill('account form passphrase');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('E-mail address').waitFor();
    expect(await keychainWords.count()).toBe(0);
  });

  it('edit after failed test clears it', async () => {
    const page = app.page;
    const add = page.getByRole('button', { name: 'Add account' });
    const hint = page.getByTestId('add-account-hint');
    const report = page.getByTestId('connection-test');
    await page.getByLabel('E-mail address').fill(address);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByLabel('Password', { exact: true }).press('Tab');
    await expect.poll(() => page.locator('#imap-host').inputValue()).toBe('127.0.0.1');
    await page.getByLabel('Pinned server certificate (PEM, optional)').fill(stackCertificate());
    expect(await hint.textContent()).toContain('Test the connection first');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await report.getByText(/^IMAP failed/).waitFor({ timeout: 30_000 });
    expect(await add.isDisabled()).toBe(true);
    expect(await hint.textContent()).toBe('Fix what failed above, then test the connection again.');
    await screenshot(page, 'account-test-failed');

    await page.getByLabel('Password', { exact: true }).fill(stackPassword(address));
    expect(await report.count()).toBe(0);
    expect(await add.isDisabled()).toBe(true);
    expect(await hint.textContent()).toBe('You changed the settings: test the connection again.');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('IMAP: login succeeded.').waitFor({ timeout: 30_000 });
    await page.getByText('SMTP: login succeeded.').waitFor();
    expect(await add.isDisabled()).toBe(false);
    expect(await hint.count()).toBe(0);
  });

  it('backup for another address restores nothing', async () => {
    const page = app.page;
    const other = uniqueAddress('elsewhere');
    const backup = await backupFromOtherFolder(other);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('heading', { name: `2. Your key for ${address}` }).waitFor();

    await page.getByLabel('Backup file (from key export --backup)').setInputFiles({
      name: 'sealpost-backup.asc',
      mimeType: 'text/plain',
      buffer: Buffer.from(backup.armored),
    });
    await page.getByLabel('Recovery code').fill(backup.recoveryCode);
    await page.getByRole('button', { name: 'Restore backup' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain(`not for ${address}`);
    expect(await alert.textContent()).toContain('nothing was restored');
    expect(app.session.require().keys.list()).toEqual([]);
  });
});
