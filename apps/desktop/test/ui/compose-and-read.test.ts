// The composer and reader through the browser shell and the local mail stack. A local draft
// keeps its attachments sealed on disk and brings them back. The "subject travels inside the
// encryption" line shows only for encrypted mail. The security status fits a narrow reader
// and groups fingerprints. Forward carries the decrypted text and attachments into a new
// encrypted message, and moving mail to Archive raises no new-mail notice.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFingerprint } from '../../../../packages/ui/src/renderer/fingerprint.ts';
import { uniqueAddress } from '../e2e/stack.ts';
import { screenshot } from './harness.ts';
import { openPreparedAppWithMessage } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

const ORIGINAL_SUBJECT = 'Quarterly figures for the board';
const ORIGINAL_TEXT = 'The figures are attached; please keep them inside the team.';
const ORIGINAL_ATTACHMENT = Buffer.from('revenue,42\ncosts,17\n');
const DRAFT_ATTACHMENT = Buffer.from('draft attachment bytes: pelican-7731');

describe('desktop UI composer', () => {
  let app: PreparedApp;
  const newMailToasts = () => app.page.locator('.toast', { hasText: /new messages? for/ });

  beforeAll(async () => {
    app = await openPreparedAppWithMessage('compose', {
      subject: ORIGINAL_SUBJECT,
      text: ORIGINAL_TEXT,
      attachment: {
        filename: 'figures.csv',
        contentType: 'text/csv',
        content: ORIGINAL_ATTACHMENT,
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('draft keeps its attachments', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(app.address);
    await page.getByLabel('Subject', { exact: true }).fill('Draft with a file');
    await page.locator('#compose-attach').setInputFiles({
      name: 'pelican.bin',
      mimeType: 'application/octet-stream',
      buffer: DRAFT_ATTACHMENT,
    });
    await page.getByRole('list', { name: 'Attached files' }).getByText('pelican.bin').waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved, encrypted on this computer.').waitFor();

    const folder = path.join(app.home, 'drafts');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    const sealed = readFileSync(path.join(folder, files[0]!));
    for (const secret of ['pelican.bin', 'pelican-7731', DRAFT_ATTACHMENT.toString('base64')]) {
      expect(sealed.includes(Buffer.from(secret)), secret).toBe(false);
    }

    await page.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('button', { name: 'Local drafts', exact: true }).click();
    await page.getByRole('button', { name: 'Open draft Draft with a file' }).click();
    expect(await page.locator('#composer-title').textContent()).toBe('Draft');
    const attached = page.getByRole('list', { name: 'Attached files' });
    await attached.waitFor();
    expect(await attached.textContent()).toContain(
      `pelican.bin (${DRAFT_ATTACHMENT.length} bytes)`,
    );

    const stored = app.core().drafts.load(files[0]!.replace(/\.sealed$/, ''));
    expect(stored.attachments).toHaveLength(1);
    expect(stored.attachments[0]!.filename).toBe('pelican.bin');
    expect(Buffer.from(stored.attachments[0]!.contentBase64, 'base64')).toEqual(DRAFT_ATTACHMENT);
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('subject hint only when encrypted', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    expect(await page.locator('#composer-title').textContent()).toBe('New message');

    await page.getByLabel('To', { exact: true }).fill(uniqueAddress('nokey'));
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('NOT encrypted');
    expect(await page.getByTestId('subject-hint').count()).toBe(0);

    await page.getByLabel('To', { exact: true }).fill(app.address);
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('encrypted');
    await page.getByTestId('subject-hint').waitFor();
    expect(await page.getByTestId('send-mode').textContent()).not.toContain('NOT');
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('security status fits a narrow reader', async () => {
    const page = app.page;
    await page.setViewportSize({ width: 900, height: 800 });
    await page.locator('.message-row').first().click();
    await page.getByTestId('reader-subject').filter({ hasText: ORIGINAL_SUBJECT }).waitFor();

    const fingerprint = formatFingerprint(app.core().keys.list()[0]!.fingerprint);
    expect(await page.getByTestId('signature-words').textContent()).toContain(
      `valid, signed by ${app.address} (${fingerprint})`,
    );
    expect(await page.getByTestId('encryption-words').textContent()).toContain(fingerprint);

    const widths = await page.evaluate(() => {
      const reader = document.querySelector<HTMLElement>('.reader')!;
      const status = document.querySelector<HTMLElement>('[data-testid="security-status"]')!;
      const box = status.getBoundingClientRect();
      const overflowing = [...status.querySelectorAll('span')].filter((span) => {
        const rect = span.getBoundingClientRect();
        return rect.right > box.right + 0.5 || rect.left < box.left - 0.5;
      }).length;
      return {
        reader: reader.clientWidth,
        readerScroll: reader.scrollWidth,
        status: status.clientWidth,
        statusScroll: status.scrollWidth,
        overflowing,
      };
    });
    expect(widths.reader).toBeLessThanOrEqual(360);
    expect(widths.readerScroll).toBe(widths.reader);
    expect(widths.statusScroll).toBe(widths.status);
    expect(widths.overflowing).toBe(0);
    await screenshot(page, 'reader-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('forward carries text and attachments', async () => {
    const page = app.page;
    await page.locator('.message-row').first().click();
    await page.getByTestId('reader-subject').filter({ hasText: ORIGINAL_SUBJECT }).waitFor();

    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    expect(await page.locator('#composer-title').textContent()).toBe('Reply');
    await page.getByRole('button', { name: 'Discard' }).click();

    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    await page.locator('#composer-title', { hasText: 'Forward' }).waitFor();
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('');
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe(
      `Fwd: ${ORIGINAL_SUBJECT}`,
    );
    const body = await page.getByLabel('Message', { exact: true }).inputValue();
    expect(body).toContain('---------- Forwarded message ----------');
    expect(body).toContain(`Subject: ${ORIGINAL_SUBJECT}`);
    expect(body).toContain(`From: ${app.address}`);
    expect(body).toContain(ORIGINAL_TEXT);
    expect(await page.getByRole('list', { name: 'Attached files' }).textContent()).toContain(
      `figures.csv (${ORIGINAL_ATTACHMENT.length} bytes)`,
    );

    await page.getByLabel('To', { exact: true }).fill(app.address);
    await expect
      .poll(() => page.getByTestId('send-mode').textContent())
      .toContain('encrypted and signed');
    await screenshot(page, 'forward-composer');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText(`Sent encrypted to ${app.address}.`).waitFor({ timeout: 30_000 });

    await app.core().mail.sync({ account: app.address });
    const inbox = app.core().mail.list({ account: null, folder: 'INBOX' });
    const reads = await Promise.all(inbox.map((message) => app.core().mail.read(message.id)));
    const copy = reads.find((message) => message.subject === `Fwd: ${ORIGINAL_SUBJECT}`);
    expect(copy).toBeDefined();
    expect(copy!.encryption.status).toBe('encrypted');
    expect(copy!.text).toContain(ORIGINAL_TEXT);
    expect(copy!.attachments.map((attachment) => attachment.filename)).toEqual(['figures.csv']);
    expect(Buffer.from(copy!.attachments[0]!.content!)).toEqual(ORIGINAL_ATTACHMENT);
  });

  it('archive raises no new-mail notice', async () => {
    const page = app.page;
    const sync = page.getByRole('button', { name: 'Sync', exact: true });
    // Notices of earlier syncs, which did fetch mail, fade after a few seconds.
    await expect.poll(() => newMailToasts().count(), { timeout: 15_000 }).toBe(0);

    await page.locator('.message-row').first().click();
    await page.getByTestId('reader-subject').waitFor();
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    await page.getByText(/^Moved to /).waitFor();
    await sync.click();
    await expect
      .poll(() => page.getByRole('button', { name: /^Archive, / }).getAttribute('aria-label'))
      .toMatch(/of 1$/);
    expect(await newMailToasts().count()).toBe(0);
  });
});
