// The Outbox view in the desktop UI, through the browser shell and the local mail stack. A
// message Postfix rejected for good shows in the folder list with a failed count and in the
// view with its reason and the time it was queued. Retry sends it again, Discard removes it
// only after confirmation, and a sync reloads the open view.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueAddress } from '../e2e/stack.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

describe('desktop UI outbox', () => {
  let app: PreparedApp;
  const recipient = `nobody-${uniqueAddress('missing').split('@')[0]!}@sealpost.test`;

  beforeAll(async () => {
    app = await openPreparedApp('outbox-ui', {
      setup: async (sealpost) => {
        const attempt = sealpost.mail.send({
          from: null,
          to: [recipient],
          cc: [],
          bcc: [],
          subject: 'To nobody',
          text: 'This recipient does not exist.',
          attachments: [],
          allowPlaintext: true,
        });
        await expect(attempt).rejects.toMatchObject({ code: 'SMTP_RECIPIENT_REJECTED' });
      },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('shows, retries and discards', async () => {
    const page = app.page;
    const folder = page.getByRole('button', { name: 'Outbox, 1 failed of 1' });
    await folder.click();

    const view = page.getByRole('region', { name: 'Outbox' });
    const entry = view.locator('tr[data-state="failed"]', { hasText: recipient });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('SMTP_RECIPIENT_REJECTED');
    expect(await entry.textContent()).toContain('1 attempt(s)');

    await view.getByRole('button', { name: `Retry the message to ${recipient}` }).click();
    await expect.poll(() => view.getByRole('alert').textContent()).toContain('stays in the outbox');
    await expect.poll(() => entry.textContent()).toContain('2 attempt(s)');

    const queued = app.core().mail.listOutbox()[0]!.createdAt;
    const queuedWords = await page.evaluate(
      (iso) => `queued ${new Date(iso).toLocaleString()}`,
      queued,
    );
    expect(await entry.textContent()).toContain(queuedWords);

    await view.getByRole('button', { name: `Discard the message to ${recipient}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard this message?' });
    expect(await dialog.textContent()).toContain(queuedWords);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await entry.count()).toBe(1);

    await view.getByRole('button', { name: `Discard the message to ${recipient}` }).click();
    await dialog.getByRole('button', { name: 'Discard without sending' }).click();
    await view.getByText('The outbox is empty.').waitFor();
    expect(app.core().mail.listOutbox()).toEqual([]);
    await expect.poll(() => page.getByRole('button', { name: /^Outbox/ }).count()).toBe(0);
  });

  it('sync refreshes the open view', async () => {
    const page = app.page;
    const other = `nobody-${uniqueAddress('gone').split('@')[0]!}@sealpost.test`;
    const attempt = app.core().mail.send({
      from: null,
      to: [other],
      cc: [],
      bcc: [],
      subject: 'To nobody again',
      text: 'This recipient still does not exist.',
      attachments: [],
      allowPlaintext: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SMTP_RECIPIENT_REJECTED' });
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await page.getByRole('button', { name: /^Outbox, / }).click();
    const view = page.getByRole('region', { name: 'Outbox' });
    const entry = view.locator('tr[data-state="failed"]', { hasText: other });
    await entry.waitFor();

    // The entry leaves the outbox outside this view, as when a sync sends a queued message.
    const stored = app
      .core()
      .mail.listOutbox()
      .find((candidate) => candidate.to.includes(other));
    app.core().mail.discardOutbox(stored!.id);
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect.poll(() => entry.count()).toBe(0);
  });
});
