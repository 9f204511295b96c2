// Remote images in HTML mail load only after the user clicks "Load remote images" on that one
// message. A local HTTPS server on 127.0.0.1 plays the sender's image host and records every
// request: nothing reaches it before the click, the https: image does after it, and plain
// http:, CSS url() and script requests never do. Another message stays blocked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import { imapOptionsFor } from '../e2e/stack.ts';
import { screenshot, startHitRecorder } from './harness.ts';
import type { HitRecorder } from './harness.ts';
import { openPreparedApp } from './prepared-app.ts';
import type { PreparedApp } from './prepared-app.ts';

// Long enough for an image, a stylesheet or a script fetch to start if anything allowed it.
const SETTLE_MS = 1500;

function htmlMessage(to: string, subject: string, body: string): Uint8Array {
  const headers = [
    'From: Newsletter <news@sender.test>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@sender.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`);
}

describe('remote content per message', () => {
  let app: PreparedApp;
  let https: HitRecorder;

  beforeAll(async () => {
    https = await startHitRecorder({ tls: true });
    const plainHttp = `http://127.0.0.1:${new URL(https.origin).port}`;
    app = await openPreparedApp('remote', {
      browser: { ignoreHTTPSErrors: true },
      setup: async (sealpost) => {
        const address = sealpost.accounts.list()[0]!.email;
        const session = await ImapSession.connect(imapOptionsFor(address));
        try {
          const withImages = `<p>Remote content canary.</p>
<img src="${https.origin}/pixel.png" alt="remote pixel" width="40" height="40">
<img src="${plainHttp}/plain-http.png" alt="plain http">
<div style="background: url('${https.origin}/style-url.png')">styled</div>
<script>fetch('${https.origin}/script')</script>`;
          const other = `<p>Second canary.</p><img src="${https.origin}/other.png" alt="other">`;
          await session.append('INBOX', htmlMessage(address, 'With images', withImages), []);
          await session.append('INBOX', htmlMessage(address, 'Other images', other), []);
        } finally {
          await session.close();
        }
      },
    });
    await app.page.getByRole('option').filter({ hasText: 'Other images' }).waitFor();
  });

  afterAll(async () => {
    await app?.close();
    await https?.close();
  });

  const frame = () => app.page.frameLocator('iframe[title="Message content"]');

  it('loads nothing before the click', async () => {
    const page = app.page;
    await page.getByRole('option').filter({ hasText: 'With images' }).click();
    await frame().getByText('Remote content canary.').waitFor();
    await page.waitForTimeout(SETTLE_MS);

    expect(https.hits).toEqual([]);
    expect(await page.getByTestId('remote-blocked').textContent()).toMatch(/blocked/);
    const iframe = page.locator('iframe[title="Message content"]');
    expect(await iframe.getAttribute('data-remote-images')).toBe('blocked');
  });

  it('loads the https image after the click', async () => {
    const page = app.page;
    await page.getByRole('button', { name: 'Load remote images' }).click();
    await expect.poll(() => https.hits, { timeout: 10_000 }).toContain('/pixel.png');
    await expect
      .poll(() =>
        frame()
          .locator('img[alt="remote pixel"]')
          .evaluate((image: HTMLImageElement) => image.naturalWidth),
      )
      .toBe(1);
    await page.waitForTimeout(SETTLE_MS);

    expect(https.hits).not.toContain('/plain-http.png');
    expect(https.hits).not.toContain('/style-url.png');
    expect(https.hits).not.toContain('/script');
    const iframe = page.locator('iframe[title="Message content"]');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    expect(await iframe.getAttribute('data-remote-images')).toBe('allowed');
    expect(await page.getByTestId('remote-allowed').textContent()).toContain('this message only');
    await screenshot(page, 'remote-images-allowed');
  });

  it('keeps other messages blocked', async () => {
    const page = app.page;
    await page.getByRole('option').filter({ hasText: 'Other images' }).click();
    await frame().getByText('Second canary.').waitFor();
    await page.waitForTimeout(SETTLE_MS);
    expect(https.hits).not.toContain('/other.png');
    expect(await page.getByTestId('remote-blocked').isVisible()).toBe(true);

    const before = https.hits.length;
    await page.getByRole('option').filter({ hasText: 'With images' }).click();
    await frame().getByText('Remote content canary.').waitFor();
    await page.waitForTimeout(SETTLE_MS);
    expect(https.hits.length).toBe(before);
    expect(await page.getByTestId('remote-blocked').isVisible()).toBe(true);
  });
});
