// Accepting a contact's changed key in the desktop UI, through the browser shell. A second key
// for a pinned address is flagged in Contacts and keys and in the composer, which points at
// Accept new key rather than the CLI. The dialog shows both fingerprints and pins the new key
// only when the user confirms.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@sealpost/crypto-core';
import { formatFingerprint } from '../../../../packages/ui/src/renderer/fingerprint.ts';
import { uniqueAddress } from '../e2e/stack.ts';
import { screenshot } from './harness.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

describe('desktop UI contact key change', () => {
  let app: PreparedApp;
  const contact = uniqueAddress('dave');
  let pinned = '';
  let changed = '';

  beforeAll(async () => {
    const first = await generateIdentity({ address: contact, passphrase: 'first key' });
    const second = await generateIdentity({ address: contact, passphrase: 'second key' });
    pinned = first.fingerprint;
    changed = second.fingerprint;
    app = await openPreparedApp('keychange', {
      setup: async (sealpost) => {
        const encoder = new TextEncoder();
        await sealpost.keys.import(encoder.encode(first.certificate), {
          keyPassphrase: null,
          replacePinned: false,
        });
        await sealpost.keys.import(encoder.encode(second.certificate), {
          keyPassphrase: null,
          replacePinned: false,
        });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('composer points at Accept new key', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(contact);
    const warnings = page.getByTestId('plan-warnings');
    await expect.poll(() => warnings.textContent()).toContain('presented a different key');
    expect(await warnings.textContent()).toContain(formatFingerprint(changed));
    expect(await warnings.textContent()).toContain('“Accept new key” in Contacts and keys');
    expect(await warnings.textContent()).not.toContain('sealpost contacts');
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('accepts the new key after confirmation', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Contacts and keys' }).click();
    const row = page.getByTestId(`contact-${contact}`);
    await expect.poll(() => row.textContent()).toContain('Key changed');

    const accept = row.getByRole('button', { name: `Accept the new key of ${contact}` });
    await accept.click();
    const dialog = page.getByRole('dialog', { name: `Accept the new key of ${contact}?` });
    expect(await dialog.getByTestId('accept-old-fingerprint').textContent()).toBe(
      formatFingerprint(pinned),
    );
    expect(await dialog.getByTestId('accept-new-fingerprint').textContent()).toBe(
      formatFingerprint(changed),
    );
    expect(await dialog.textContent()).toContain('over another channel');
    await screenshot(page, 'contacts-accept-key');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(
      app
        .core()
        .contacts.list()
        .find((entry) => entry.address === contact)?.fingerprint,
    ).toBe(pinned);

    await accept.click();
    await dialog.getByLabel(/I compared the full fingerprint/).check();
    await dialog.getByRole('button', { name: 'Accept new key' }).click();
    await page
      .getByText(`Pinned ${formatFingerprint(changed)} for ${contact}, marked as verified.`)
      .waitFor();
    await expect.poll(() => row.textContent()).not.toContain('Key changed');
    expect(await row.textContent()).toContain(formatFingerprint(changed));
    const stored = app
      .core()
      .contacts.list()
      .find((entry) => entry.address === contact);
    expect(stored?.fingerprint).toBe(changed);
    expect(stored?.changedFingerprints).toEqual([]);
  });
});
