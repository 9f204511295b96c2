// The message list with 100,000 stored messages in Chromium. Scrolling to the end and back
// keeps the DOM to a bounded number of rows at every point, and pages are fetched only as they
// come into view. The folder list shows the counts of the storage count query.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_FOLDER, openBulkMailbox } from './bulk-mailbox.ts';
import type { BulkMailbox } from './bulk-mailbox.ts';

const COUNT = 100_000;
const MAX_ROWS_IN_DOM = 200;
// The renderer fetches pages of 200; a full walk would need COUNT / 200 = 500 of them.
const MAX_PAGE_REQUESTS = 40;
const SCROLL_STEPS = 12;

describe('message list with 100,000 messages', () => {
  let app: BulkMailbox;

  beforeAll(async () => {
    app = await openBulkMailbox('bulk', COUNT);
  }, 300_000);

  afterAll(async () => {
    await app?.close();
  });

  const list = () => app.page.getByTestId('message-list');
  const row = (subject: string) =>
    app.page.getByRole('option').filter({ hasText: new RegExp(`${subject}$`) });
  const maxRowsSeen = () =>
    app.page.evaluate(() => (window as unknown as { maxRows: number }).maxRows);

  it('folder list shows total and unread', async () => {
    // Before the first sync lists INBOX, the app may open the only stored folder, Bulk.
    await app.page.getByRole('button', { name: /^INBOX, / }).click();
    app.pageRequests.length = 0;

    const unread = COUNT - Math.floor(COUNT / 3);
    const folder = app.page.getByRole('button', {
      name: `${BULK_FOLDER}, ${unread} unread of ${COUNT}`,
    });
    await folder.click();
    await row('Bulk message 100000').waitFor();
    expect(app.pageRequests).toEqual([0]);

    // Counts the rows in the list after every DOM change, from here to the end of the file.
    await app.page.evaluate(() => {
      const record = window as unknown as { maxRows: number };
      const element = document.querySelector('[data-testid="message-list"]')!;
      record.maxRows = element.querySelectorAll('[role="option"]').length;
      new MutationObserver(() => {
        const rows = element.querySelectorAll('[role="option"]').length;
        record.maxRows = Math.max(record.maxRows, rows);
      }).observe(element, { childList: true, subtree: true });
    });
  });

  it('scrolls to the end with bounded rows', async () => {
    const height = await list().evaluate((element) => element.scrollHeight);
    expect(height).toBeGreaterThan(COUNT * 50);

    for (let step = 1; step <= SCROLL_STEPS; step += 1) {
      await list().evaluate((element, top) => (element.scrollTop = top), (height * step) / 12);
      await app.page.waitForTimeout(50);
      expect(await app.page.getByRole('option').count()).toBeLessThan(MAX_ROWS_IN_DOM);
    }
    await row('Bulk message 1').waitFor();

    expect(await maxRowsSeen()).toBeLessThan(MAX_ROWS_IN_DOM);
    expect(app.pageRequests).toContain(COUNT - 200);
    expect(app.pageRequests.length).toBeLessThan(MAX_PAGE_REQUESTS);
  });

  it('scrolls back to the top with bounded rows', async () => {
    const height = await list().evaluate((element) => element.scrollHeight);
    for (let step = SCROLL_STEPS - 1; step >= 0; step -= 1) {
      await list().evaluate((element, top) => (element.scrollTop = top), (height * step) / 12);
      await app.page.waitForTimeout(50);
      expect(await app.page.getByRole('option').count()).toBeLessThan(MAX_ROWS_IN_DOM);
    }
    await row('Bulk message 100000').waitFor();

    expect(await maxRowsSeen()).toBeLessThan(MAX_ROWS_IN_DOM);
    expect(app.pageRequests.length).toBeLessThan(MAX_PAGE_REQUESTS);
  });
});
