// The Outbox view in the desktop UI, through the browser shell and the local mail stack. A
// message Postfix rejected for good shows in the folder list with a failed count and in the
// view with its reason. Retry sends it again, and Discard removes it only after confirmation.

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

    await view.getByRole('button', { name: `Discard the message to ${recipient}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard this message?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await entry.count()).toBe(1);

    await view.getByRole('button', { name: `Discard the message to ${recipient}` }).click();
    await dialog.getByRole('button', { name: 'Discard without sending' }).click();
    await view.getByText('The outbox is empty.').waitFor();
    expect(app.core().mail.listOutbox()).toEqual([]);
    await expect.poll(() => page.getByRole('button', { name: /^Outbox/ }).count()).toBe(0);
  });
});
