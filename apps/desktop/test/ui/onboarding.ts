// Drives the first-run screens for one user: chooses the Sealpost passphrase, adds the account
// on the local mail stack (the provider table fills in the servers), tests the connection and
// creates a key. Returns the fingerprint the app showed.

import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { stackCertificate, stackPassword } from '../e2e/stack.ts';
import { screenshot } from './harness.ts';

export async function onboard(
  page: Page,
  address: string,
  options: { screenshots?: boolean } = {},
): Promise<string> {
  await page
    .getByLabel('Sealpost passphrase', { exact: true })
    .fill('correct horse battery staple');
  await page.getByLabel('Repeat the passphrase').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create' }).click();

  await page.getByLabel('E-mail address').fill(address);
  await page.getByLabel('Password', { exact: true }).fill(stackPassword(address));
  await page.getByLabel('Password', { exact: true }).press('Tab');
  await expect.poll(() => page.locator('#imap-host').inputValue()).toBe('127.0.0.1');
  await page.getByLabel('Pinned server certificate (PEM, optional)').fill(stackCertificate());
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByText('SMTP: login succeeded.').waitFor();
  await page.getByText('IMAP: login succeeded.').waitFor();
  if (options.screenshots) await screenshot(page, 'onboarding-account');
  await page.getByRole('button', { name: 'Add account' }).click();

  await page.getByRole('button', { name: 'Create a new key' }).click();
  const fingerprint = (await page.getByTestId('own-fingerprint').textContent({ timeout: 30_000 }))!;
  if (options.screenshots) await screenshot(page, 'onboarding-key');
  await page.getByRole('button', { name: 'Open mailbox' }).click();
  await page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
  return fingerprint.trim();
}
