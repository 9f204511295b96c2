// Ratchet mail in the message list and reader, through the real Dovecot and Postfix. It is
// listed as encrypted in ratchet mode before and after it is read, and the list row keeps the
// signature status found at read time. Search finds it with the encrypted filter before it is
// read, and the command line's list row names the mode. `openpgp: true` sends OpenPGP to a
// ratchet contact, and a message over the server's SMTP SIZE limit fails before encryption
// with both sizes named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchMailApi } from '@sealpost/ui';
import type { MessageView, SearchHit } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { describeEncryption } from '../../src/core/status-words.ts';
import { encryptionWords, messageRow } from '../../src/cli/message-rows.ts';
import { createCorrespondents, syncAndFind, type TestUser } from '../e2e/stack.ts';

async function send(sender: TestUser, to: TestUser, subject: string, openpgp = false) {
  return sender.sealpost.mail.send({
    from: null,
    to: [to.address],
    cc: [],
    bcc: [],
    subject,
    text: `${subject}\n`,
    attachments: [],
    allowPlaintext: false,
    openpgp,
  });
}

function listed(user: TestUser, id: number) {
  return user.sealpost.mail.list({ account: null, folder: 'INBOX' }).find((row) => row.id === id)!;
}

function pageRow(user: TestUser, id: number) {
  const page = user.sealpost.pages.page({ account: null, folder: 'INBOX', offset: 0, limit: 100 });
  return page.messages.find((row) => row.id === id)!;
}

describe('ratchet mail in lists', () => {
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());
    // The first OpenPGP message carries alice's prekey bundle, so bob can reply in ratchet mode.
    const first = await send(alice, bob, 'Bundle carrier');
    await bob.sealpost.mail.read(await syncAndFind(bob, first.messageId));
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  it('lists ratchet mail as encrypted', async () => {
    const sent = await send(bob, alice, 'In ratchet mode');
    expect(sent.mode).toBe('ratchet');
    const id = await syncAndFind(alice, sent.messageId);

    const before = listed(alice, id);
    expect(before.kind).toBe('ratchet');
    expect(before.encrypted).toBe(true);
    expect(before.mode).toBe('ratchet');
    expect(before.signature).toBeNull();
    expect(pageRow(alice, id)).toMatchObject({ encrypted: true, mode: 'ratchet' });

    const read = await alice.sealpost.mail.read(id);
    expect(read.kind).toBe('ratchet-encrypted');
    expect(describeEncryption(read)).toBe('encrypted (ratchet mode, post-quantum)');

    const session = { require: () => alice.sealpost } as unknown as AppSession;
    const handlers = createMailApiHandlers(session, () => undefined);
    const view = await dispatchMailApi(handlers, 'mail:read', { id });
    expect(view.ok).toBe(true);
    if (!view.ok) return;
    expect((view.value as MessageView).encryption.mode).toBe('ratchet');

    const after = listed(alice, id);
    expect(after.mode).toBe('ratchet');
    expect(after.signature).toBe(read.signatures[0]?.status ?? null);
    expect(pageRow(alice, id).signature).toBe(read.signatures.length > 0 ? 'valid' : 'unsigned');
  });

  it('finds unread ratchet mail as encrypted', async () => {
    const sent = await send(bob, alice, 'Ratchet search target');
    expect(sent.mode).toBe('ratchet');
    const id = await syncAndFind(alice, sent.messageId);

    const encrypted = alice.sealpost.mail.search({ encrypted: true, limit: 500 });
    expect(encrypted.find((hit) => hit.id === id)).toMatchObject({
      mode: 'ratchet',
      unread: true,
      flagged: false,
    });
    const plain = alice.sealpost.mail.search({ encrypted: false, limit: 500 });
    expect(plain.map((hit) => hit.id)).not.toContain(id);
    expect(
      alice.sealpost.mail.search({ hasAttachment: true, limit: 500 }).map((hit) => hit.id),
    ).not.toContain(id);

    const session = { require: () => alice.sealpost } as unknown as AppSession;
    const handlers = createMailApiHandlers(session, () => undefined);
    const hits = await dispatchMailApi(handlers, 'mail:search', {
      text: '',
      account: null,
      folder: null,
      from: null,
      hasAttachment: null,
      encrypted: true,
      signed: null,
      limit: 500,
    });
    expect(hits.ok).toBe(true);
    if (!hits.ok) return;
    expect((hits.value as SearchHit[]).find((hit) => hit.id === id)).toMatchObject({
      mode: 'ratchet',
      unread: true,
    });

    const row = listed(alice, id);
    expect(encryptionWords(row).trim()).toBe('encrypted (ratchet)');
    expect(messageRow(row).split('\t')[3]!.trim()).toBe('encrypted (ratchet)');
  });

  it('keeps the read signature status in the row', async () => {
    const sent = await send(alice, bob, 'Signed in OpenPGP', true);
    const id = await syncAndFind(bob, sent.messageId);
    expect(pageRow(bob, id).signature).toBeNull();

    const read = await bob.sealpost.mail.read(id);
    expect(read.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(pageRow(bob, id)).toMatchObject({
      encrypted: true,
      mode: 'openpgp',
      signature: 'valid',
    });
    expect(listed(bob, id).signature).toBe('valid');
    expect(encryptionWords(listed(bob, id)).trim()).toBe('encrypted (OpenPGP)');
  });

  it('sends OpenPGP to a ratchet contact on request', async () => {
    const plan = await bob.sealpost.planSend({ from: null, to: [alice.address], cc: [], bcc: [] });
    expect(plan.mode).toBe('ratchet');

    const sent = await send(bob, alice, 'Forced OpenPGP', true);
    expect(sent.mode).toBe('openpgp');
    expect(sent.modeReason).toContain(
      'ratchet mode is not used because OpenPGP mode was requested',
    );
    const id = await syncAndFind(alice, sent.messageId);
    expect(listed(alice, id)).toMatchObject({ kind: 'pgp-mime-encrypted', mode: 'openpgp' });
    expect((await alice.sealpost.mail.read(id)).text).toContain('Forced OpenPGP');
  });

  it('rejects a message over the SMTP SIZE limit early', async () => {
    // The stack's Postfix announces SIZE 471859200 (450 MiB); 260 MiB becomes about 462 MiB
    // once encoded. The zero-filled array is rejected before anything reads it.
    const content = new Uint8Array(260 * 1024 * 1024);
    const attempt = bob.sealpost.mail.send({
      from: null,
      to: [alice.address],
      cc: [],
      bcc: [],
      subject: 'Too large',
      text: 'See the attachment.\n',
      attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', content }],
      allowPlaintext: false,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await expect(attempt).rejects.toThrow(
      /about 462\.2 MiB \(\d+ bytes\).*at most 450\.0 MiB \(471859200 bytes/,
    );
    expect(bob.sealpost.mail.listOutbox()).toEqual([]);
  });
});
