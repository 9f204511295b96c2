// The first-run screens as a new user reads them, through the browser shell and the local mail
// stack. Creating the passphrase names the key derivation while it runs, the test server's
// note explains a pinned certificate without a repository path, and a failed certificate check
// names the "Pinned server certificate" field.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackPassword, uniqueAddress } from '../e2e/stack.ts';
import { openApp } from './harness.ts';
import type { AppUnderTest } from './harness.ts';

declare global {
  interface Window {
    /** Texts of the unlock progress line, recorded by a MutationObserver. */
    progressTexts?: string[];
  }
}

describe('desktop UI first-run wording', () => {
  let app: AppUnderTest;
  const address = uniqueAddress('wording');

  beforeAll(async () => {
    app = await openApp('first-run-wording');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('passphrase creation shows progress', async () => {
    const page = app.page;
    await page.getByLabel('Repeat the passphrase').waitFor();
    // The progress line may show for less than one poll, so every version of it is recorded.
    await page.evaluate(() => {
      window.progressTexts = [];
      new MutationObserver(() => {
        const line = document.querySelector('[data-testid="unlock-progress"]');
        if (line?.textContent) window.progressTexts!.push(line.textContent);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.getByLabel('Sealpost passphrase', { exact: true }).fill('wording passphrase');
    await page.getByLabel('Repeat the passphrase').fill('wording passphrase');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('E-mail address').waitFor();

    const texts = await page.evaluate(() => window.progressTexts ?? []);
    expect(texts).toContain('Deriving the key from your passphrase…');
  });

  it('certificate advice names the field', async () => {
    const page = app.page;
    await page.getByLabel('E-mail address').fill(address);
    await page.getByLabel('Password', { exact: true }).fill(stackPassword(address));
    await page.getByLabel('Password', { exact: true }).press('Tab');
    await expect.poll(() => page.locator('#imap-host').inputValue()).toBe('127.0.0.1');

    const note = page.locator('.notice', { hasText: 'self-signed certificate' });
    await note.waitFor();
    const noteText = await note.textContent();
    expect(noteText).toContain('“Pinned server certificate”');
    expect(noteText).not.toContain('.mail-stack');
    expect(noteText).not.toContain('repository');

    // Without the pinned certificate, the test server's self-signed certificate fails to verify.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const imapFailure = page.getByTestId('connection-test').getByText(/^IMAP failed/);
    await imapFailure.waitFor({ timeout: 30_000 });
    const failureText = await imapFailure.textContent();
    expect(failureText).toContain('paste that certificate into “Pinned server certificate”');
    expect(failureText).not.toContain('or pin the server');
  });
});
