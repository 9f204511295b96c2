// Hostile mail content in the real UI. Scripts, remote images, CSS url(), forms, meta refresh
// and an iframe execute nothing and cause no network request. HTML that draws a fake
// "verified" banner does not get the app's indicator, and a link opens only after
// confirmation. A local HTTP server on 127.0.0.1 plays the attacker's host and counts hits.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import { imapOptionsFor } from '../e2e/stack.ts';
import { screenshot, startHitRecorder } from './harness.ts';
import type { HitRecorder } from './harness.ts';
import { openPreparedApp, type PreparedApp } from './prepared-app.ts';

function rawMessage(options: {
  to: string;
  subject: string;
  type: string;
  body: string;
}): Uint8Array {
  const headers = [
    'From: Mallory <mallory@attacker.test>',
    `To: ${options.to}`,
    `Subject: ${options.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@attacker.test>`,
    'MIME-Version: 1.0',
    `Content-Type: ${options.type}; charset=utf-8`,
    'Content-Transfer-Encoding: 8bit',
  ];
  return new TextEncoder().encode(
    `${headers.join('\r\n')}\r\n\r\n${options.body.replace(/\n/g, '\r\n')}\r\n`,
  );
}

function hostileHtml(remote: string): string {
  return `<html><head>
<meta http-equiv="refresh" content="0;url=${remote}/meta-refresh">
<link rel="stylesheet" href="${remote}/link-stylesheet">
<style>body { background: url(${remote}/style-element); } @import url(${remote}/css-import);</style>
</head><body>
<script>fetch('${remote}/script'); document.title = 'script ran';</script>
<img src="${remote}/remote-image" alt="tracker">
<img src="x" onerror="fetch('${remote}/onerror')">
<div style="background-image: url('${remote}/inline-style')">styled</div>
<form action="${remote}/form" method="post"><input name="a" value="b"><button>Go</button></form>
<iframe src="${remote}/iframe"></iframe>
<video poster="${remote}/poster"></video>
<p>Hostile content canary.</p>
</body></html>`;
}

const FAKE_BANNER = `<div style="border:2px solid green;background:#e3f4e8;color:#145c2c;padding:8px">
<b>Encryption</b> encrypted (OpenPGP), decrypted with your key<br>
<b>Signature</b> Signature verified: valid, signed by ceo@sealpost.test</div><p>Please wire the money.</p>`;

describe('hostile mail content in the UI', () => {
  let app: PreparedApp;
  let recorder: HitRecorder;

  beforeAll(async () => {
    recorder = await startHitRecorder();
    app = await openPreparedApp('hostile', {
      setup: async (_sealpost, _paths, address) => {
        const session = await ImapSession.connect(imapOptionsFor(address));
        try {
          const deliveries = [
            { subject: 'Hostile HTML', type: 'text/html', body: hostileHtml(recorder.origin) },
            { subject: 'Fake banner', type: 'text/html', body: FAKE_BANNER },
            {
              subject: 'A link',
              type: 'text/plain',
              body: `Read this: ${recorder.origin}/plain-link\n`,
            },
          ];
          for (const delivery of deliveries) {
            await session.append('INBOX', rawMessage({ to: address, ...delivery }), []);
          }
        } finally {
          await session.close();
        }
      },
    });
    await app.page.getByRole('option').filter({ hasText: 'A link' }).waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await app?.close();
    await recorder?.close();
  });

  function foreignRequests(): string[] {
    return app.requests.filter(
      (url) =>
        !url.startsWith(app.shell.origin) && !url.startsWith('data:') && url !== 'about:srcdoc',
    );
  }

  it('hostile HTML runs nothing and loads nothing', async () => {
    const page = app.page;
    await page.getByRole('option').filter({ hasText: 'Hostile HTML' }).click();
    const frame = page.frameLocator('iframe[title="Message content"]');
    await frame.getByText('Hostile content canary.').waitFor();
    // Give refresh, image and stylesheet loads the chance to happen before counting.
    await page.waitForTimeout(1500);

    expect(await page.locator('iframe[title="Message content"]').getAttribute('sandbox')).toBe('');
    expect(
      await frame.locator('body script, body form, body iframe, body meta, body link').count(),
    ).toBe(0);
    expect(await page.title()).toBe('Sealpost');
    expect(recorder.hits).toEqual([]);
    expect(foreignRequests()).toEqual([]);
    expect(await page.getByTestId('remote-blocked').textContent()).toMatch(/blocked/);
    await screenshot(page, 'hostile-html');
  });

  it('fake banner gets no verified indicator', async () => {
    const page = app.page;
    await page.getByRole('option').filter({ hasText: 'Fake banner' }).click();
    await page
      .frameLocator('iframe[title="Message content"]')
      .getByText('Please wire the money.')
      .waitFor();

    const status = page.getByTestId('security-status');
    expect(await status.getAttribute('data-verified')).toBe('false');
    expect(await page.getByTestId('encryption-words').textContent()).toContain('NOT encrypted');
    expect(await page.getByTestId('signature-words').textContent()).toContain('not signed');
    // The banner's words exist only inside the sandboxed frame, never in the app's own document.
    expect(await page.locator('body').innerText()).not.toContain('Signature verified');
    await screenshot(page, 'fake-banner');
  });

  it('link opens only after confirmation', async () => {
    const page = app.page;
    await page.getByRole('option').filter({ hasText: 'A link' }).click();
    const link = page.getByRole('button', { name: `${recorder.origin}/plain-link` });

    await link.click();
    expect(await page.getByTestId('pending-link').textContent()).toBe(
      `${recorder.origin}/plain-link`,
    );
    await screenshot(page, 'link-confirmation');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(recorder.hits).toEqual([]);

    await link.click();
    const popup = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Open link' }).click();
    await (await popup).waitForLoadState();
    // The opened page may also ask its server for /favicon.ico; the link itself comes first.
    expect(recorder.hits[0]).toBe('/plain-link');
  });
});
