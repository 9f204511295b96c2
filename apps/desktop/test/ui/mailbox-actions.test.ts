// Search and message actions in the desktop UI, through the browser shell and the local mail
// stack. Search with its filters fills the message list, its rows show the flagged and unread
// markers, and Escape clears it. Flag, mark unread, move and delete each reach the server,
// checked there over IMAP. A 20,000-character subject stays inside the list and the reader.

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import { imapOptionsFor } from '../e2e/stack.ts';
import { screenshot } from './harness.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

const SENDER = 'dora@example.org';
const LONG_SUBJECT = Array.from({ length: 2000 }, (_, index) => `word${index}`).join(' ');

interface Sample {
  subject: string;
  messageId: string;
  from: string;
}

function sample(subject: string, from = SENDER): Sample {
  return { subject, from, messageId: `<${randomUUID()}@example.org>` };
}

const SAMPLES = {
  flag: sample('Flag me: pelican report'),
  unread: sample('Unread later: walrus minutes'),
  move: sample('Move me: heron invoice'),
  remove: sample('Delete me: otter newsletter'),
  other: sample('Search target: narwhal budget', 'erin@example.org'),
  long: sample(LONG_SUBJECT),
};

function rawMessage(message: Sample, to: string): Buffer {
  return Buffer.from(
    [
      `From: ${message.from}`,
      `To: ${to}`,
      `Subject: ${message.subject}`,
      `Message-ID: ${message.messageId}`,
      'Date: Fri, 04 Dec 2026 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${message.subject.slice(0, 40)}.`,
      '',
    ].join('\r\n'),
  );
}

/** Returns the server's flags of the message with `messageId` in `folder`, or null if absent. */
async function flagsOnServer(
  address: string,
  folder: string,
  messageId: string,
): Promise<string[] | null> {
  const session = await ImapSession.connect(imapOptionsFor(address));
  try {
    const { messages } = await session.fetchNew(folder, {});
    const found = messages.find((message) =>
      Buffer.from(message.raw).toString('latin1').includes(messageId),
    );
    return found ? found.flags : null;
  } finally {
    await session.close();
  }
}

describe('desktop UI mailbox actions', () => {
  let app: PreparedApp;
  const row = (subject: string) =>
    app.page.locator('.message-row', { hasText: subject.slice(0, 30) }).first();

  beforeAll(async () => {
    app = await openPreparedApp('actions');
    const session = await ImapSession.connect(imapOptionsFor(app.address));
    try {
      for (const message of Object.values(SAMPLES)) {
        await session.append('INBOX', rawMessage(message, app.address), []);
      }
    } finally {
      await session.close();
    }
    await app.page.getByRole('button', { name: 'Sync', exact: true }).click();
    await row(SAMPLES.other.subject).waitFor();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('search fills the list', async () => {
    const page = app.page;
    const list = page.getByTestId('message-list');
    const rows = list.locator('.message-row');
    await expect.poll(() => rows.count()).toBe(Object.keys(SAMPLES).length);

    await page.keyboard.press('/');
    await page.getByLabel('Search words').pressSequentially('narwhal');
    await page.keyboard.press('Enter');
    await expect.poll(() => list.getAttribute('aria-label')).toBe('Search results');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(SAMPLES.other.subject);

    // A sender filter that excludes the only match leaves nothing.
    await page.getByLabel('From address').fill(SENDER);
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(0);
    expect(await list.textContent()).toContain('No messages match the search.');

    await page.getByLabel('Search words').fill('');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(Object.keys(SAMPLES).length - 1);

    await page.keyboard.press('Escape');
    await expect.poll(() => list.getAttribute('aria-label')).toBe('Messages');
    await expect.poll(() => rows.count()).toBe(Object.keys(SAMPLES).length);
    expect(await page.getByLabel('From address').inputValue()).toBe('');
  });

  it('search rows show flag and unread', async () => {
    const page = app.page;
    const list = page.getByTestId('message-list');
    const stored = app
      .core()
      .mail.list({ account: null, folder: 'INBOX' })
      .find((message) => message.subject === SAMPLES.other.subject)!;
    app.core().mail.setFlags(stored.id, { add: ['\\Flagged'] });
    try {
      await page.getByLabel('Search words').fill('narwhal');
      await page.keyboard.press('Enter');
      await expect.poll(() => list.getAttribute('aria-label')).toBe('Search results');
      const hit = list.locator('.message-row', { hasText: SAMPLES.other.subject });
      await hit.getByLabel('Flagged').waitFor();
      expect(await hit.getAttribute('class')).toContain('unread');
    } finally {
      app.core().mail.setFlags(stored.id, { remove: ['\\Flagged'] });
      await page.getByLabel('Search words').press('Escape');
      await expect.poll(() => list.getAttribute('aria-label')).toBe('Messages');
    }
  });

  it('flag reaches the server', async () => {
    const page = app.page;
    await row(SAMPLES.flag.subject).click();
    await page.getByTestId('reader-subject').waitFor();
    await page.keyboard.press('s');
    await row(SAMPLES.flag.subject).getByLabel('Flagged').waitFor();
    await page.getByRole('button', { name: 'Unflag' }).waitFor();
    await expect
      .poll(() => flagsOnServer(app.address, 'INBOX', SAMPLES.flag.messageId), { timeout: 20_000 })
      .toContain('\\Flagged');

    await page.getByRole('button', { name: 'Unflag' }).click();
    await page.getByRole('button', { name: 'Flag', exact: true }).waitFor();
    await expect
      .poll(() => flagsOnServer(app.address, 'INBOX', SAMPLES.flag.messageId), { timeout: 20_000 })
      .not.toContain('\\Flagged');
  });

  it('mark unread reaches the server', async () => {
    const page = app.page;
    await row(SAMPLES.unread.subject).click();
    await page.getByTestId('reader-subject').waitFor();
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await expect
      .poll(() => flagsOnServer(app.address, 'INBOX', SAMPLES.unread.messageId), {
        timeout: 20_000,
      })
      .toContain('\\Seen');
    // A sync that ends after the key press would list the message with its older flags.
    await page
      .getByRole('button', { name: 'Sync', exact: true })
      .and(page.locator(':enabled'))
      .waitFor();

    await page.keyboard.press('u');
    await expect
      .poll(() => row(SAMPLES.unread.subject).getAttribute('class'), { timeout: 20_000 })
      .toContain('unread');
    await expect
      .poll(() => flagsOnServer(app.address, 'INBOX', SAMPLES.unread.messageId), {
        timeout: 20_000,
      })
      .not.toContain('\\Seen');
  });

  it('move reaches the server', async () => {
    const page = app.page;
    const id = Number(await row(SAMPLES.move.subject).getAttribute('data-message-id'));
    await row(SAMPLES.move.subject).click();
    await page.keyboard.press('v');
    const dialog = page.getByRole('dialog', { name: 'Move message' });
    await dialog.getByLabel('Move to folder').selectOption('Junk');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => row(SAMPLES.move.subject).count()).toBe(0);
    await expect
      .poll(() => flagsOnServer(app.address, 'Junk', SAMPLES.move.messageId), { timeout: 20_000 })
      .not.toBeNull();
    expect(await flagsOnServer(app.address, 'INBOX', SAMPLES.move.messageId)).toBeNull();

    // The message keeps its id in Junk, with the UID the server gave it there, and a full sync
    // of Junk stores no second copy.
    const progress = page.getByRole('progressbar', { name: 'Sync progress' });
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    await progress.waitFor();
    await progress.waitFor({ state: 'hidden' });
    const junk = app.core().mail.list({ account: null, folder: 'Junk' });
    expect(junk.map((message) => message.id)).toEqual([id]);
    expect(junk[0]!.uid).not.toBeNull();
  });

  it('delete moves to Trash on the server', async () => {
    const page = app.page;
    await row(SAMPLES.remove.subject).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => row(SAMPLES.remove.subject).count()).toBe(0);
    await expect
      .poll(() => flagsOnServer(app.address, 'Trash', SAMPLES.remove.messageId), {
        timeout: 20_000,
      })
      .not.toBeNull();
    expect(await flagsOnServer(app.address, 'INBOX', SAMPLES.remove.messageId)).toBeNull();
  });

  it('long subject stays in its pane', async () => {
    const page = app.page;
    const longRow = row(SAMPLES.long.subject);
    await longRow.click();
    const heading = page.getByTestId('reader-subject');
    await heading.waitFor();
    await screenshot(page, 'reader-long-subject');

    const reader = page.getByRole('region', { name: 'Reader' });
    const widths = await reader.evaluate((element) => ({
      pane: element.clientWidth,
      content: element.scrollWidth,
      paneRight: element.getBoundingClientRect().right,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.pane);
    const headingBox = (await heading.boundingBox())!;
    expect(headingBox.x + headingBox.width).toBeLessThanOrEqual(widths.paneRight);
    // Clamped to three lines of the 20 px heading until expanded.
    expect(headingBox.height).toBeLessThan(120);
    expect(await heading.textContent()).toBe(LONG_SUBJECT);

    const list = page.getByTestId('message-list');
    const listBox = (await list.boundingBox())!;
    const rowBox = (await longRow.boundingBox())!;
    expect(rowBox.x + rowBox.width).toBeLessThanOrEqual(listBox.x + listBox.width);
    expect(await list.evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);

    await page.getByRole('button', { name: 'Show the full subject' }).click();
    const expanded = (await heading.boundingBox())!;
    expect(expanded.height).toBeGreaterThan(headingBox.height);
    expect(expanded.x + expanded.width).toBeLessThanOrEqual(widths.paneRight);
  });
});

describe('desktop UI notification request', () => {
  it('denied request shows a note', async () => {
    const app = await openPreparedApp('notify');
    try {
      const page = app.page;
      const blocked = page.getByText('Notifications are blocked;');
      // Headless Chromium blocks notifications from the start, so the note shows at once.
      expect(await page.evaluate(() => Notification.permission)).toBe('denied');
      await blocked.waitFor();
      expect(await blocked.getAttribute('role')).toBe('status');

      // A user who denies the browser's prompt: headless Chromium shows no prompt, so the
      // page's Notification API is replaced with one whose prompt returns "denied".
      await app.context.addInitScript(() => {
        Object.defineProperty(Notification, 'permission', { get: () => 'default' });
        Notification.requestPermission = async () => 'denied';
      });
      await page.goto('about:blank');
      await page.goto(app.shell.url);
      await page.getByRole('button', { name: 'Notify me of new mail' }).click();
      await blocked.waitFor();
      expect(await page.getByRole('button', { name: 'Notify me of new mail' }).count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
