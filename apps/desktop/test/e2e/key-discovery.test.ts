// Key discovery through Autocrypt: bob learns carol's key from the header of her signed,
// unencrypted mail and replies encrypted without importing anything by hand.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, syncAndFind } from './stack.ts';
import type { TestUser } from './stack.ts';

describe('key discovery through Autocrypt', () => {
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    bob = await createUser('bob');
    carol = await createUser('carol');
  });

  afterAll(() => {
    bob?.close();
    carol?.close();
  });

  it('sending to an unknown key without --allow-plaintext fails', async () => {
    await expect(
      carol.sealpost.mail.send({
        from: null,
        to: [bob.address],
        cc: [],
        bcc: [],
        subject: 'Hello',
        text: 'Hi',
        attachments: [],
        allowPlaintext: false,
      }),
    ).rejects.toMatchObject({
      code: 'RECIPIENT_KEY_MISSING',
      message: expect.stringContaining(bob.address),
    });
  });

  it('bob replies encrypted after carol wrote in the clear', async () => {
    const first = await carol.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Hello from Carol',
      text: 'Hi Bob, this is my first mail.\n',
      attachments: [],
      allowPlaintext: true,
    });
    expect(first.mode).toBe('signed-plaintext');

    const firstId = await syncAndFind(bob, first.messageId);
    const received = await bob.sealpost.mail.read(firstId);
    expect(received.encryption.status).toBe('not-encrypted');
    expect(received.subject).toBe('Hello from Carol');
    expect(received.signatures[0]!.status).toBe('valid');
    expect(received.signatures[0]!.signerMatchesFrom).toBe(true);

    const carolFingerprint = carol.sealpost.keys.list()[0]!.fingerprint;
    const contact = bob.sealpost.contacts.list().find((entry) => entry.address === carol.address);
    expect(contact?.fingerprint).toBe(carolFingerprint);
    expect(contact?.source).toBe('autocrypt');

    const reply = await bob.sealpost.mail.send({
      from: null,
      to: [carol.address],
      cc: [],
      bcc: [],
      subject: 'Re: Hello from Carol',
      text: 'Hi Carol, now we talk encrypted.\n',
      attachments: [],
      allowPlaintext: false,
    });
    expect(reply.mode).toBe('openpgp');

    const replyId = await syncAndFind(carol, reply.messageId);
    const read = await carol.sealpost.mail.read(replyId);
    expect(read.encryption.status).toBe('encrypted');
    expect(read.subject).toBe('Re: Hello from Carol');
    expect(read.signatures[0]!.status).toBe('valid');
  });
});
