// End to end through the real Dovecot and Postfix: alice sends bob an encrypted, signed
// message with an attachment, and the server only ever sees ciphertext and a placeholder
// Subject.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCorrespondents, fetchRawFromServer, sendEncrypted, syncAndFind } from './stack.ts';
import type { TestUser } from './stack.ts';

const SUBJECT = 'Quarterly numbers, private';
const BODY = 'Bob, the margin is 17.4 percent. Keep this between us.\nÄrger vermeiden.\n';
const ATTACHMENT = Buffer.concat([
  Buffer.from('canary-attachment-5d1f '),
  Buffer.from([0, 1, 2, 0xfe, 0xff]),
]);

describe('encrypted exchange between two accounts', () => {
  let alice: TestUser;
  let bob: TestUser;
  let messageId: string;

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());

    const sent = await sendEncrypted(alice, [bob], {
      subject: SUBJECT,
      text: BODY,
      attachments: [
        { filename: 'numbers.bin', contentType: 'application/octet-stream', content: ATTACHMENT },
      ],
    });
    expect(sent.mode).toBe('openpgp');
    expect(sent.postQuantum).toBe(true);
    messageId = sent.messageId;
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  it('bob reads the real subject, body and attachment', async () => {
    const id = await syncAndFind(bob, messageId);
    const message = await bob.sealpost.mail.read(id);

    expect(message.subject).toBe(SUBJECT);
    expect(message.text?.replace(/\r\n/g, '\n')).toBe(BODY);
    expect(message.from).toBe(alice.address);
    expect(message.to).toEqual([bob.address]);
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]!.filename).toBe('numbers.bin');
    expect(Buffer.from(message.attachments[0]!.content!).equals(ATTACHMENT)).toBe(true);
  });

  it('bob sees a valid signature that matches From', async () => {
    const id = await syncAndFind(bob, messageId);
    const message = await bob.sealpost.mail.read(id);

    expect(message.encryption.status).toBe('encrypted');
    expect(message.encryption.decryptedWith).toBe(bob.sealpost.keys.list()[0]!.fingerprint);
    expect(message.signatures).toHaveLength(1);
    expect(message.signatures[0]!.status).toBe('valid');
    expect(message.signatures[0]!.signerFingerprint).toBe(
      alice.sealpost.keys.list()[0]!.fingerprint,
    );
    expect(message.signatures[0]!.signerMatchesFrom).toBe(true);
  });

  it('the server holds only ciphertext and a placeholder subject', async () => {
    const raw = await fetchRawFromServer(bob, messageId);
    const text = raw.toString('latin1');

    expect(text).toMatch(/^Subject: \[\.\.\.\]\r$/m);
    expect(text).toContain('multipart/encrypted');
    expect(text).toContain('-----BEGIN PGP MESSAGE-----');
    expect(text).toMatch(/^Autocrypt: /m);
    expect(text).not.toContain('Quarterly');
    expect(text).not.toContain('margin');
    expect(text).not.toContain('canary-attachment');
    expect(text).not.toContain('numbers.bin');
  });

  it('alice can read her own copy in Sent', async () => {
    await alice.sealpost.mail.sync({ account: null });
    const copy = alice.sealpost.mail
      .list({ account: null, folder: 'Sent' })
      .find((message) => message.messageId === messageId);
    expect(copy).toBeDefined();

    const message = await alice.sealpost.mail.read(copy!.id);
    expect(message.subject).toBe(SUBJECT);
    expect(message.signatures[0]!.status).toBe('valid');
  });
});
