// The real UI end to end through the browser shell and the local mail stack. Alice and bob
// each go through first run and swap certificates in the contacts screen. Alice sends an
// encrypted message from the composer, and bob reads it decrypted with the verified status.
// Screenshots of the main screens go to docs/screenshots/.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueAddress } from '../e2e/stack.ts';
import { openApp, screenshot } from './harness.ts';
import type { AppUnderTest } from './harness.ts';
import { onboard } from './onboarding.ts';

const SUBJECT = 'Board meeting notes, private';
const BODY = 'Bob, the vote is on Thursday. Please keep this between us.';

describe('desktop UI exchange', () => {
  let alice: AppUnderTest;
  let bob: AppUnderTest;
  const aliceAddress = uniqueAddress('alice');
  const bobAddress = uniqueAddress('bob');
  let aliceFingerprint = '';

  beforeAll(async () => {
    alice = await openApp('alice');
    bob = await openApp('bob');
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
  });

  it('onboards alice and bob', async () => {
    await alice.page.getByRole('heading', { name: 'Choose a Sealpost passphrase' }).waitFor();
    await screenshot(alice.page, 'unlock');
    aliceFingerprint = await onboard(alice.page, aliceAddress, { screenshots: true });
    const bobFingerprint = await onboard(bob.page, bobAddress);

    // The app shows fingerprints as the CLI does: uppercase hex in groups of four.
    expect(aliceFingerprint).toMatch(/^(?:[0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    expect(bobFingerprint).toMatch(/^(?:[0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    expect(aliceFingerprint).not.toBe(bobFingerprint);
  });

  it('alice imports the certificate that bob exports', async () => {
    await bob.page.getByRole('button', { name: 'Contacts and keys' }).click();
    await bob.page.getByRole('button', { name: `Export the certificate of ${bobAddress}` }).click();
    const certificate = await bob.page.locator('#exported-key').inputValue();
    expect(certificate).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');

    await alice.page.getByRole('button', { name: 'Contacts and keys' }).click();
    await alice.page.getByLabel('Or paste an armored key').fill(certificate);
    await alice.page.getByRole('button', { name: 'Import', exact: true }).click();
    await alice.page.getByTestId(`contact-${bobAddress}`).waitFor();
    await screenshot(alice.page, 'contacts');
  });

  it('alice sends bob an encrypted message', async () => {
    const page = alice.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(bobAddress);
    await page.getByLabel('Subject', { exact: true }).fill(SUBJECT);
    await page.getByLabel('Message', { exact: true }).fill(BODY);

    await expect
      .poll(() => page.getByTestId('recipient-status').textContent())
      .toContain(`${bobAddress}: key known`);
    expect(await page.getByTestId('send-mode').textContent()).toContain('encrypted and signed');
    // A taller window shows the whole plan: each recipient's key status and the mode line.
    await page.setViewportSize({ width: 1280, height: 1000 });
    await screenshot(page, 'composer');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText(`Sent encrypted to ${bobAddress}.`).waitFor({ timeout: 30_000 });
  });

  it('bob reads it decrypted with the verified status', async () => {
    const page = bob.page;
    await page.getByRole('button', { name: 'Mail', exact: true }).click();
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    const row = page.getByRole('option').filter({ hasText: aliceAddress });
    await row.first().waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor({ state: 'hidden' });
    await screenshot(page, 'mailbox');
    await row.first().click();

    await expect.poll(() => page.getByTestId('reader-subject').textContent()).toBe(SUBJECT);
    const status = page.getByTestId('security-status');
    expect(await status.getAttribute('data-verified')).toBe('true');
    expect(await page.getByTestId('encryption-words').textContent()).toContain(
      'encrypted (OpenPGP)',
    );
    expect(await page.getByTestId('signature-words').textContent()).toContain(
      `valid, signed by ${aliceAddress} (${aliceFingerprint})`,
    );
    expect(await page.getByTestId('message-area').textContent()).toContain(BODY);
    await screenshot(page, 'reader');
  });
});
