// Ratchet mode end to end through the real Dovecot and Postfix. A first OpenPGP message carries
// the prekey bundle, then alice and bob exchange ten ratchet messages (one read out of order,
// one delivered twice). One message goes to two recipients at once, the sender reads the Sent
// copy, and a first message whose identity key does not match the verified bundle is rejected.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTrio,
  deliverRaw,
  fetchRawFromServer,
  syncAndFind,
  type TestUser,
} from '../e2e/stack.ts';
import { errorCode } from '../../src/core/errors.ts';

async function send(sender: TestUser, to: TestUser[], subject: string, text: string) {
  return sender.sealpost.mail.send({
    from: null,
    to: to.map((user) => user.address),
    cc: [],
    bcc: [],
    subject,
    text,
    attachments: [],
    allowPlaintext: false,
  });
}

/** Syncs `reader`, then reads and returns the message with `messageId`. */
async function receive(reader: TestUser, messageId: string) {
  const id = await syncAndFind(reader, messageId);
  return reader.sealpost.mail.read(id);
}

async function readError(reader: TestUser, id: number): Promise<string> {
  try {
    await reader.sealpost.mail.read(id);
  } catch (error) {
    return errorCode(error);
  }
  return 'NO_ERROR';
}

describe('ratchet mode through the mail stack', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    ({ alice, bob, carol } = await createTrio([
      ['alice', 'bob'],
      ['alice', 'carol'],
      ['bob', 'carol'],
    ]));
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
    carol?.close();
  });

  it('first message is OpenPGP and carries the bundle', async () => {
    const before = await bob.sealpost.planSend({
      from: null,
      to: [alice.address],
      cc: [],
      bcc: [],
    });
    expect(before.mode).toBe('openpgp');

    const sent = await send(alice, [bob], 'Hello in OpenPGP', 'The bundle rides along.\n');
    expect(sent.mode).toBe('openpgp');
    const read = await receive(bob, sent.messageId);
    expect(read.text).toContain('The bundle rides along.');
    expect(read.attachments).toEqual([]);

    const after = await bob.sealpost.planSend({ from: null, to: [alice.address], cc: [], bcc: [] });
    expect(after.mode).toBe('ratchet');
    expect(after.reason).toMatch(/prekey bundle/);
  });

  it('ten ratchet messages, one out of order and one duplicated', async () => {
    // [sender, receiver] per message; messages 2 and 3 are read in reverse order.
    const plan: Array<[TestUser, TestUser]> = [
      [bob, alice],
      [alice, bob],
      [alice, bob],
      [bob, alice],
      [bob, alice],
      [alice, bob],
      [bob, alice],
      [alice, bob],
      [bob, alice],
      [alice, bob],
    ];
    const sent: Array<{ messageId: string; subject: string; text: string }> = [];
    const readOne = async (index: number) => {
      const [sender, receiver] = plan[index]!;
      const message = await receive(receiver, sent[index]!.messageId);
      expect(message.kind, `message ${index + 1}`).toBe('ratchet-encrypted');
      expect(message.encryption.status).toBe('encrypted');
      expect(message.subject).toBe(sent[index]!.subject);
      expect(message.text?.replace(/\r\n/g, '\n')).toBe(sent[index]!.text);
      expect(message.from).toBe(sender.address);
      expect(message.signatureSummary).toBe('verified');
      expect(message.attachments).toEqual([]);
    };

    for (const [index, [sender, receiver]] of plan.entries()) {
      const subject = `Ratchet ${index + 1}`;
      const text = `Secret number ${index + 1}: canary-${index + 1}-7f3a\n`;
      const result = await send(sender, [receiver], subject, text);
      expect(result.mode, `message ${index + 1}`).toBe('ratchet');
      expect(result.savedToSent).toBe(true);
      sent.push({ messageId: result.messageId, subject, text });
      if (index === 1) continue; // read after message 3
      await readOne(index);
      if (index === 2) await readOne(1);
    }

    // The server holds only the placeholder subject and ciphertext.
    for (const [index, message] of sent.entries()) {
      const raw = (await fetchRawFromServer(plan[index]![1], message.messageId)).toString('latin1');
      expect(raw).toMatch(/^Subject: \[\.\.\.\]\r$/m);
      expect(raw).toContain('application/x-sealpost-ratchet');
      expect(raw).not.toContain(`canary-${index + 1}-7f3a`);
      expect(raw).not.toContain(message.subject);
    }

    // A second read of a ratchet message needs no message key: it opens the sealed copy.
    const firstId = await syncAndFind(bob, sent[1]!.messageId);
    expect((await bob.sealpost.mail.read(firstId)).subject).toBe('Ratchet 2');

    // The same raw message delivered again is a replay.
    const raw = await fetchRawFromServer(bob, sent[9]!.messageId);
    await deliverRaw(bob, raw);
    await bob.sealpost.mail.sync({ account: null });
    const copies = bob.sealpost.mail
      .list({ account: null, folder: 'INBOX' })
      .filter((message) => message.messageId === sent[9]!.messageId);
    expect(copies).toHaveLength(2);
    const codes = await Promise.all(copies.map((copy) => readError(bob, copy.id)));
    expect(codes.sort()).toEqual(['NO_ERROR', 'REPLAY_DETECTED']);
  });

  it('sender reads its Sent copy', async () => {
    const result = await send(alice, [bob], 'Sent copy check', 'Readable by alice too.\n');
    expect(result.mode).toBe('ratchet');
    await alice.sealpost.mail.sync({ account: null });
    const copy = alice.sealpost.mail
      .list({ account: null, folder: 'Sent' })
      .find((message) => message.messageId === result.messageId);
    expect(copy).toBeDefined();
    const read = await alice.sealpost.mail.read(copy!.id);
    expect(read.subject).toBe('Sent copy check');
    expect(read.text).toContain('Readable by alice too.');
    expect(read.negotiation?.mode).toBe('ratchet');
  });

  it('one ratchet message reaches two recipients', async () => {
    // carol learns alice's bundle, then replies in ratchet mode, so alice has carol's session.
    const hello = await send(alice, [carol], 'Hello carol', 'OpenPGP first.\n');
    expect(hello.mode).toBe('openpgp');
    await receive(carol, hello.messageId);
    const answer = await send(carol, [alice], 'Hello alice', 'Ratchet back.\n');
    expect(answer.mode).toBe('ratchet');
    expect((await receive(alice, answer.messageId)).text).toContain('Ratchet back.');

    const plan = await alice.sealpost.planSend({
      from: null,
      to: [bob.address, carol.address],
      cc: [],
      bcc: [],
    });
    expect(plan.mode).toBe('ratchet');
    const both = await send(alice, [bob, carol], 'To both of you', 'One body, two keys.\n');
    expect(both.mode).toBe('ratchet');
    for (const reader of [bob, carol]) {
      const message = await receive(reader, both.messageId);
      expect(message.kind).toBe('ratchet-encrypted');
      expect(message.to.sort()).toEqual([bob.address, carol.address].sort());
      expect(message.text).toContain('One body, two keys.');
    }
  });

  it('forged first message is rejected', async () => {
    // carol gets bob's bundle and starts a session with him, then the From is changed to alice.
    const hello = await send(bob, [carol], 'Hello carol from bob', 'Bundle for carol.\n');
    await receive(carol, hello.messageId);
    const genuine = await send(carol, [bob], 'Really from carol', 'Session start.\n');
    expect(genuine.mode).toBe('ratchet');

    const raw = (await fetchRawFromServer(bob, genuine.messageId)).toString('latin1');
    const forgedId = `<forged-${Date.now()}@sealpost.test>`;
    const headerEnd = raw.indexOf('\r\n\r\n');
    const header = raw
      .slice(0, headerEnd)
      .replace(/^From: .*$/m, `From: Alice <${alice.address}>`)
      .replace(/^Message-ID: .*$/im, `Message-ID: ${forgedId}`);
    await deliverRaw(bob, Buffer.from(header + raw.slice(headerEnd), 'latin1'));

    const id = await syncAndFind(bob, forgedId);
    expect(await readError(bob, id)).toBe('RATCHET_SENDER_UNVERIFIED');

    // bob's session with alice is untouched: her next message still reads.
    const next = await send(alice, [bob], 'After the forgery', 'Still fine.\n');
    expect(next.mode).toBe('ratchet');
    expect((await receive(bob, next.messageId)).text).toContain('Still fine.');
  });
});
