// The mail flows of the desktop UI end to end, through the browser shell and the local mail
// stack. Covered: sync progress and new-mail notifications, list rows updated by a read, and
// attachments sent and saved byte for byte. Also keyboard shortcuts including archive, the dark
// theme, drafts sealed on disk and restored, and sending in the clear only after confirmation.
// Last, a changed key is flagged while the pinned key is still used.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@sealpost/crypto-core';
import { ImapSession } from '@sealpost/mail-transport';
import { formatFingerprint } from '../../../../packages/ui/src/renderer/fingerprint.ts';
import { imapOptionsFor, uniqueAddress } from '../e2e/stack.ts';
import { screenshot } from './harness.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

const SUBJECT = 'Quarterly figures, confidential';
const BODY = 'Bob, the figures are attached. Keep them to yourself.';
// Every byte value, so a transfer encoding that changed any byte would show.
const ATTACHMENT = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7) % 256));

async function messagesOnServer(address: string): Promise<Buffer[]> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    const { messages } = await session.fetchNew('INBOX', {});
    return messages.map((message) => Buffer.from(message.raw));
  } finally {
    await session.close();
  }
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

describe('desktop UI mail flows', () => {
  let alice: PreparedApp;
  let bob: PreparedApp;

  beforeAll(async () => {
    alice = await openPreparedApp('alice');
    // Bob's account has no Archive folder: archiving creates it.
    bob = await openPreparedApp('bob', { browser: { permissions: ['notifications'] } });
    const options = { keyPassphrase: null, replacePinned: false };
    await alice.core().keys.import(new TextEncoder().encode(bob.certificate), options);
    await bob.core().keys.import(new TextEncoder().encode(alice.certificate), options);

    // Records what the app passes to the Notification API and each sync progress text.
    await bob.page.evaluate(() => {
      const record = window as unknown as { shown: string[]; progressTexts: string[] };
      record.shown = [];
      record.progressTexts = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          record.shown.push(`${title}: ${options?.body ?? ''}`);
        }
      } as typeof Notification;
      new MutationObserver((changes) => {
        for (const change of changes) {
          const text = (change.target as Element).getAttribute('aria-valuetext');
          if (text) record.progressTexts.push(text);
        }
      }).observe(document.body, { subtree: true, attributeFilter: ['aria-valuetext'] });
    });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
  });

  it('sends an encrypted attachment', async () => {
    const page = alice.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(bob.address);
    await page.getByLabel('Subject', { exact: true }).fill(SUBJECT);
    await page.getByLabel('Message', { exact: true }).fill(BODY);
    await page.locator('#compose-attach').setInputFiles({
      name: 'figures.bin',
      mimeType: 'application/octet-stream',
      buffer: ATTACHMENT,
    });
    await page.getByRole('list', { name: 'Attached files' }).getByText('figures.bin').waitFor();
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('encrypted');

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText(`Sent encrypted to ${bob.address}.`).waitFor({ timeout: 30_000 });
  });

  it('sync events drive progress and notification', async () => {
    const page = bob.page;
    const recorded = () =>
      page.evaluate(() => {
        const record = window as unknown as { shown: string[]; progressTexts: string[] };
        return { shown: [...record.shown], progressTexts: [...record.progressTexts] };
      });
    await expect
      .poll(async () => (await recorded()).progressTexts)
      .toContain(`1 of 1 account synced, last ${bob.address}`);
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor({ state: 'hidden' });
    await page.evaluate(() => {
      (window as unknown as { progressTexts: string[] }).progressTexts.length = 0;
    });

    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor();
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor({ state: 'hidden' });

    await expect
      .poll(async () => (await recorded()).shown)
      .toContain(`Sealpost: 1 new message for ${bob.address}`);
    expect((await recorded()).progressTexts).toContain(
      `1 of 1 account synced, last ${bob.address}`,
    );
    await page.getByText(`1 new message for ${bob.address}`).first().waitFor();
  });

  it('row shows protected subject after read', async () => {
    const page = bob.page;
    const row = page.getByRole('option').filter({ hasText: alice.address }).first();
    expect(await row.textContent()).toContain('Encrypted message (open it to see the subject)');
    expect(await row.textContent()).toContain('not checked yet');
    expect(await row.getAttribute('class')).toContain('unread');

    await row.click();
    await expect.poll(() => page.getByTestId('reader-subject').textContent()).toBe(SUBJECT);
    const selected = page.getByRole('option', { selected: true });
    await expect.poll(() => selected.textContent()).toContain(SUBJECT);
    expect(await selected.textContent()).toContain('signed');
    expect(await selected.getAttribute('class')).not.toContain('unread');

    // The protected subject lives only in the renderer's memory, never in bob's data folder.
    for (const file of filesUnder(bob.home)) {
      expect(readFileSync(file).includes(Buffer.from(SUBJECT)), file).toBe(false);
    }
  });

  it('saves the attachment byte-identical', async () => {
    const page = bob.page;
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Save figures.bin' }).click();
    const saved = await (await download).path();
    expect(Buffer.compare(readFileSync(saved), ATTACHMENT)).toBe(0);
  });

  it('shortcuts move, reply, compose and archive', async () => {
    await alice.core().mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Second message',
      text: 'Another one.',
      attachments: [],
      allowPlaintext: false,
    });
    const page = bob.page;
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    const rows = page.getByRole('option').filter({ hasText: alice.address });
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);

    await rows.nth(0).click();
    await expect
      .poll(() => page.getByTestId('reader-subject').textContent())
      .toBe('Second message');
    await page.locator('body').press('j');
    await expect.poll(() => page.getByTestId('reader-subject').textContent()).toBe(SUBJECT);
    await page.locator('body').press('k');
    await expect
      .poll(() => page.getByTestId('reader-subject').textContent())
      .toBe('Second message');

    await page.locator('body').press('r');
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(
      'Re: Second message',
    );
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(alice.address);
    await page.getByRole('button', { name: 'Discard' }).click();

    await page.locator('body').press('c');
    await page.getByRole('heading', { name: 'New message' }).waitFor();
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('');
    await page.getByRole('button', { name: 'Discard' }).click();

    await rows.nth(0).click();
    await page.locator('body').press('e');
    await page.getByText('Moved to Archive.').waitFor();
    await expect.poll(() => rows.count()).toBe(1);

    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await page.getByRole('button', { name: /^Archive, / }).click();
    await page
      .getByRole('option')
      .filter({ hasText: alice.address })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^INBOX, / }).click();
  });

  it('dark theme toggles and persists', async () => {
    const page = bob.page;
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();

    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await background()).not.toBe(light);
    await page.getByRole('option').first().click();
    await page.getByTestId('security-status').waitFor();
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor({ state: 'hidden' });
    await screenshot(page, 'dark-theme');

    // A new window of the same profile starts dark.
    const second = await bob.context.newPage();
    await second.goto(bob.shell.url);
    await second.getByRole('toolbar', { name: 'Main actions' }).waitFor();
    expect(await second.locator('html').getAttribute('data-theme')).toBe('dark');
    await second.close();

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    expect(await background()).toBe(light);
  });

  it('draft is sealed on disk and restored', async () => {
    const page = alice.page;
    const draftSubject = 'Draft about the merger';
    const draftBody = 'Nobody may read this draft on disk.';
    const carol = uniqueAddress('carol');
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(carol);
    await page.getByLabel('Subject', { exact: true }).fill(draftSubject);
    await page.getByLabel('Message', { exact: true }).fill(draftBody);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved, encrypted on this computer.').waitFor();

    const drafts = readdirSync(path.join(alice.home, 'drafts'));
    expect(drafts).toHaveLength(1);
    const sealed = readFileSync(path.join(alice.home, 'drafts', drafts[0]!));
    for (const secret of [draftSubject, draftBody, carol, 'merger']) {
      expect(sealed.includes(Buffer.from(secret)), secret).toBe(false);
      expect(sealed.toString('base64').includes(Buffer.from(secret).toString('base64'))).toBe(
        false,
      );
    }

    await page.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('button', { name: 'Local drafts', exact: true }).click();
    await page.getByRole('button', { name: `Open draft ${draftSubject}` }).click();
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(carol);
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(draftSubject);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(draftBody);
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('plaintext only after confirmation', async () => {
    const page = alice.page;
    const stranger = uniqueAddress('stranger');
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(stranger);
    await page.getByLabel('Subject', { exact: true }).fill('Hello without a key');
    await page.getByLabel('Message', { exact: true }).fill('This one travels in the clear.');
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('NOT encrypted');

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('dialog', { name: 'Send without encryption?' }).waitFor();
    await screenshot(page, 'plaintext-confirmation');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.waitForTimeout(1500);
    expect(await messagesOnServer(stranger)).toHaveLength(0);
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(
      'Hello without a key',
    );

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('button', { name: 'Send unencrypted' }).click();
    await page.getByText(`Sent unencrypted to ${stranger}.`).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await messagesOnServer(stranger)).length).toBe(1);
    const [raw] = await messagesOnServer(stranger);
    const text = raw!.toString('latin1');
    expect(text).toMatch(/Content-Type: multipart\/signed/i);
    expect(text).toContain('application/pgp-signature');
    expect(text).toContain('This one travels in the clear.');
    expect(text).not.toMatch(/multipart\/encrypted/i);
  });

  it('changed key is flagged, pinned key used', async () => {
    const page = alice.page;
    const pinned = bob.core().keys.list()[0]!.fingerprint;
    const impostor = await generateIdentity({ address: bob.address, passphrase: 'impostor' });

    await page.getByRole('button', { name: 'Contacts and keys' }).click();
    await page.getByLabel('Or paste an armored key').fill(impostor.certificate);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/WARNING: .* already has a different pinned key/).waitFor();
    const contact = page.getByTestId(`contact-${bob.address}`);
    await expect.poll(() => contact.textContent()).toContain('Key changed');
    expect(await contact.textContent()).toContain(formatFingerprint(pinned));
    expect(await contact.textContent()).toContain(formatFingerprint(impostor.fingerprint));
    await screenshot(page, 'contacts-key-changed');

    await page.getByRole('button', { name: 'Mail', exact: true }).click();
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(bob.address);
    await page.getByLabel('Subject', { exact: true }).fill('After the key change');
    await page.getByLabel('Message', { exact: true }).fill('Still for the pinned key.');
    const badge = page.getByTestId('recipient-status').getByText(bob.address);
    await expect.poll(() => badge.textContent()).toContain('key changed');
    expect(await badge.getAttribute('title')).toBe(formatFingerprint(pinned));
    const warnings = page.getByTestId('plan-warnings');
    await expect.poll(() => warnings.textContent()).toContain('presented a different key');
    expect(await warnings.textContent()).toContain(formatFingerprint(impostor.fingerprint));
    expect(await warnings.textContent()).toContain('“Accept new key” in Contacts and keys');
    expect(await warnings.textContent()).not.toContain('sealpost contacts');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText(`Sent encrypted to ${bob.address}.`).waitFor({ timeout: 30_000 });

    // Bob reads it with his original key, so it was encrypted to the pinned certificate.
    await bob.page.getByRole('button', { name: 'Sync', exact: true }).click();
    const row = bob.page.getByRole('option').filter({ hasText: alice.address }).first();
    await expect.poll(() => bob.page.getByRole('option').count(), { timeout: 30_000 }).toBe(2);
    await row.click();
    await expect
      .poll(() => bob.page.getByTestId('reader-subject').textContent())
      .toBe('After the key change');
    expect(await bob.page.getByTestId('security-status').getAttribute('data-verified')).toBe(
      'true',
    );
  });
});
