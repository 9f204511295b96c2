// What reading a message learned survives closing the data folder, through the real Dovecot and
// Postfix. After a reopen, list rows, paged rows, search hits and command-line rows show the
// protected Subject and the signature status of OpenPGP and ratchet mail that was read. Unread
// encrypted mail keeps its "[...]" placeholder and hint. Outbox entries carry the user's Subject.

import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchMailApi } from '@sealpost/ui';
import type { OutboxEntryView, SearchHit } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import { messageRow } from '../../src/cli/message-rows.ts';
import {
  createCorrespondents,
  sendEncrypted,
  syncAndFind,
  uniqueAddress,
  type TestUser,
} from './stack.ts';

const HINT = '(encrypted subject; use "sealpost read")';

/** Closes `user`'s Sealpost and opens the same data folder again, as after a restart. */
async function reopen(user: TestUser): Promise<void> {
  user.sealpost.close();
  user.sealpost = await Sealpost.open(
    resolveDataPaths({ SEALPOST_HOME: user.home }),
    createSilentLogger(),
    { passphrase: user.passphrase },
  );
}

function listed(user: TestUser, id: number) {
  return user.sealpost.mail.list({ account: null, folder: 'INBOX' }).find((row) => row.id === id)!;
}

function pageRow(user: TestUser, id: number) {
  const page = user.sealpost.pages.page({ account: null, folder: 'INBOX', offset: 0, limit: 100 });
  return page.messages.find((row) => row.id === id)!;
}

async function searchHit(user: TestUser, text: string, id: number): Promise<SearchHit> {
  const session = { require: () => user.sealpost } as unknown as AppSession;
  const handlers = createMailApiHandlers(session, () => undefined);
  const hits = await dispatchMailApi(handlers, 'mail:search', {
    text,
    account: null,
    folder: null,
    from: null,
    hasAttachment: null,
    encrypted: null,
    signed: null,
    limit: 500,
  });
  if (!hits.ok) throw new Error(`search for ${text} failed`);
  const hit = (hits.value as SearchHit[]).find((candidate) => candidate.id === id);
  if (!hit) throw new Error(`search for ${text} did not find message ${id}`);
  return hit;
}

describe('read subjects after reopening', () => {
  let alice: TestUser;
  let bob: TestUser;
  let openpgpId: number;
  let unreadId: number;
  let ratchetId: number;

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());

    // The OpenPGP message carries alice's prekey bundle, so bob's reply goes in ratchet mode.
    const openpgp = await sendEncrypted(alice, [bob], {
      subject: 'Quarterly figures',
      text: 'The figures are attached.\n',
    });
    const unread = await sendEncrypted(alice, [bob], {
      subject: 'Still sealed',
      text: 'Nobody opened this one.\n',
      openpgp: true,
    });
    openpgpId = await syncAndFind(bob, openpgp.messageId);
    unreadId = await syncAndFind(bob, unread.messageId);
    const openpgpRead = await bob.sealpost.mail.read(openpgpId);
    expect(openpgpRead.headersProtected).toBe(true);
    expect(openpgpRead.signatureSummary).toBe('verified');

    const ratchet = await sendEncrypted(bob, [alice], {
      subject: 'Ratchet reply',
      text: 'Replying in ratchet mode.\n',
    });
    expect(ratchet.mode).toBe('ratchet');
    ratchetId = await syncAndFind(alice, ratchet.messageId);
    expect(listed(alice, ratchetId).subject).toBe('[...]');
    const ratchetRead = await alice.sealpost.mail.read(ratchetId);
    expect(ratchetRead.subject).toBe('Ratchet reply');
    expect(ratchetRead.signatureSummary).toBe('verified');

    await reopen(alice);
    await reopen(bob);
  });

  // TestUser.close would close the Sealpost opened first, which reopen already closed.
  afterAll(() => {
    for (const user of [alice, bob]) {
      user?.sealpost.close();
      if (user) rmSync(user.home, { recursive: true, force: true });
    }
  });

  it('lists a read OpenPGP subject', () => {
    const row = listed(bob, openpgpId);
    expect(row.subject).toBe('Quarterly figures');
    expect(row.subjectRead).toBe(true);
    expect(row.mode).toBe('openpgp');
    expect(messageRow(row).split('\t').at(-1)).toBe('Quarterly figures');

    expect(pageRow(bob, openpgpId)).toMatchObject({
      subject: 'Quarterly figures',
      subjectRead: true,
      signature: 'valid',
    });
  });

  it('keeps the hint for unread mail', () => {
    const row = listed(bob, unreadId);
    expect(row.subject).toBe('[...]');
    expect(row.subjectRead).toBe(false);
    expect(messageRow(row).split('\t').at(-1)).toBe(HINT);
    expect(pageRow(bob, unreadId)).toMatchObject({ subject: '[...]', signature: null });
  });

  it('finds read OpenPGP message with state', async () => {
    const hit = await searchHit(bob, 'Quarterly', openpgpId);
    expect(hit.subject).toBe('Quarterly figures');
    expect(hit.signature).toBe('valid');
    expect(hit.mode).toBe('openpgp');
  });

  it('keeps a read ratchet subject and signature', async () => {
    const row = pageRow(alice, ratchetId);
    expect(row).toMatchObject({
      subject: 'Ratchet reply',
      subjectRead: true,
      mode: 'ratchet',
      signature: 'valid',
    });
    expect(messageRow(listed(alice, ratchetId)).split('\t').at(-1)).toBe('Ratchet reply');

    const hit = await searchHit(alice, 'Ratchet reply', ratchetId);
    expect(hit.subject).toBe('Ratchet reply');
    expect(hit.signature).toBe('valid');
    expect(hit.mode).toBe('ratchet');
  });

  it('lists the subject of an outbox entry', async () => {
    // Postfix rejects an address the stack does not know at RCPT time, so the entry stays.
    const recipient = `nobody-${uniqueAddress('missing').split('@')[0]!}@sealpost.test`;
    const attempt = alice.sealpost.mail.send({
      from: null,
      to: [recipient],
      cc: [],
      bcc: [],
      subject: 'Invoice for March',
      text: 'This recipient does not exist.\n',
      attachments: [],
      allowPlaintext: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SMTP_RECIPIENT_REJECTED' });
    await reopen(alice);

    const session = { require: () => alice.sealpost } as unknown as AppSession;
    const handlers = createMailApiHandlers(session, () => undefined);
    const listedOutbox = await dispatchMailApi(handlers, 'outbox:list', undefined);
    expect(listedOutbox.ok).toBe(true);
    if (!listedOutbox.ok) return;
    const entries = listedOutbox.value as OutboxEntryView[];
    expect(entries.map((entry) => entry.subject)).toEqual(['Invoice for March']);
  });
});
