// The composer and reader checks a new user meets, through the browser shell and the local mail
// stack. A send that fails after the message was queued in the outbox closes the composer, so a
// second click cannot queue a second copy, and the outbox lists it with its subject. An invalid Cc entry is named before any API call, and
// attachment sizes read as binary units (KiB, MiB) in the composer and the reader.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueAddress } from '../e2e/stack.ts';
import { openPreparedAppWithMessage } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

const REPORT_SUBJECT = 'Sizes of the monthly report';
const REPORT_ATTACHMENT = Buffer.alloc(1536, 0x61);

describe('desktop UI composer checks', () => {
  let app: PreparedApp;

  beforeAll(async () => {
    app = await openPreparedAppWithMessage('composer-checks', {
      subject: REPORT_SUBJECT,
      text: 'The report is attached.',
      attachment: { filename: 'report.txt', contentType: 'text/plain', content: REPORT_ATTACHMENT },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('queued send closes composer', async () => {
    const page = app.page;
    const recipient = `nobody-${uniqueAddress('once').split('@')[0]!}@sealpost.test`;
    await page.getByRole('button', { name: 'Compose' }).click();
    const composer = page.getByRole('region', { name: 'New message' });
    await page.getByLabel('To', { exact: true }).fill(recipient);
    await page.getByLabel('Subject', { exact: true }).fill('Only once');
    await expect.poll(() => page.getByTestId('send-mode').textContent()).toContain('NOT encrypted');

    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('button', { name: 'Send unencrypted' }).click();

    await composer.waitFor({ state: 'detached' });
    const notice = page.locator('.toast', { hasText: 'stays in the outbox' });
    await notice.waitFor();
    const queued = app
      .core()
      .mail.listOutbox()
      .filter((entry) => entry.to.includes(recipient));
    expect(queued).toHaveLength(1);
    await page.getByRole('button', { name: /^Outbox, 1 failed/ }).click();
    const row = page.getByRole('region', { name: 'Outbox' }).locator('tr', { hasText: recipient });
    expect(await row.getByTestId('outbox-subject').textContent()).toBe('Only once');
  });

  it('invalid Cc entry is named', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.getByLabel('To', { exact: true }).fill(app.address);
    await page.getByLabel('Cc', { exact: true }).fill('not an address');

    const message = page.getByTestId('address-error');
    await expect
      .poll(() => message.textContent())
      .toBe(
        "'not an address' is not a valid e-mail address in Cc; separate addresses with commas.",
      );
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByTestId('send-mode').count()).toBe(0);

    await page.getByLabel('Cc', { exact: true }).fill(`${app.address}; ${uniqueAddress('cc')}`);
    await expect.poll(() => page.getByTestId('recipient-status').textContent()).toContain('-cc@');
    expect(await message.count()).toBe(0);
    await page.getByRole('button', { name: 'Discard' }).click();
  });

  it('sizes use binary units', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Compose' }).click();
    await page.locator('#compose-attach').setInputFiles({
      name: 'large.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(3.5 * 1024 * 1024),
    });
    const attached = page.getByRole('list', { name: 'Attached files' });
    await attached.getByText('large.bin').waitFor();
    expect(await attached.textContent()).toContain('large.bin (3.5 MiB)');
    await page.getByRole('button', { name: 'Discard' }).click();

    await page.locator('.message-row').first().click();
    const reader = page.getByRole('region', { name: 'Reader' });
    await expect.poll(() => reader.textContent()).toContain(REPORT_SUBJECT);
    expect(await reader.textContent()).toContain('report.txt (1.5 KiB)');
  });
});
