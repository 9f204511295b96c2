// Search against the real stack: plain mail is indexed in full after it arrives, encrypted mail
// by its outer headers until it is read, and then by its decrypted subject and text. Filters
// narrow the results, and FTS5 syntax in the query is searched as text.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, deliverRaw, swapCertificates, type TestUser } from '../e2e/stack.ts';
import { plainMessage } from './sync-fixtures.ts';

describe('search', () => {
  let alice: TestUser;
  let bob: TestUser;
  let encryptedId: string;

  beforeAll(async () => {
    alice = await createUser('alice', { keystore: 'passphrase' });
    bob = await createUser('bob', { keystore: 'passphrase' });
    await swapCertificates(alice, bob);
    await deliverRaw(bob, plainMessage(bob.address, 1, 2_000));
    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Secret zeppelin plans',
      text: 'The hangar door code is marmalade.',
      attachments: [],
      allowPlaintext: false,
    });
    encryptedId = sent.messageId;
    await bob.sealpost.mail.sync({ account: null });
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  it('finds plain mail by body and subject', () => {
    expect(bob.sealpost.mail.search({ text: 'harbour' })).toHaveLength(1);
    expect(bob.sealpost.mail.search({ text: 'Report 1' })[0]!.subject).toBe('Report 1');
    expect(bob.sealpost.mail.search({ text: 'harb' })).toHaveLength(1);
  });

  it('finds encrypted text only after it was read', async () => {
    expect(bob.sealpost.mail.search({ text: 'marmalade' })).toHaveLength(0);
    const message = bob.sealpost.mail
      .list({ account: null, folder: 'INBOX' })
      .find((item) => item.messageId === encryptedId)!;
    await bob.sealpost.mail.read(message.id);

    const hits = bob.sealpost.mail.search({ text: 'marmalade' });
    expect(hits.map((hit) => hit.id)).toEqual([message.id]);
    expect(bob.sealpost.mail.search({ text: 'zeppelin', encrypted: true })).toHaveLength(1);
    expect(bob.sealpost.mail.search({ text: 'zeppelin', encrypted: false })).toHaveLength(0);
    expect(bob.sealpost.mail.search({ text: 'zeppelin', signed: true })).toHaveLength(1);
  });

  it('filters by sender, folder and date', () => {
    expect(bob.sealpost.mail.search({ from: 'sender1@' })).toHaveLength(1);
    expect(bob.sealpost.mail.search({ text: 'harbour', folder: 'Sent' })).toHaveLength(0);
    expect(
      bob.sealpost.mail.search({ text: 'harbour', since: new Date('2030-01-01') }),
    ).toHaveLength(0);
    expect(
      bob.sealpost.mail.search({ text: 'harbour', before: new Date('2030-01-01') }),
    ).toHaveLength(1);
  });

  it('indexes mail that sync queued', async () => {
    await deliverRaw(bob, plainMessage(bob.address, 2, 2_000));
    await deliverRaw(bob, plainMessage(bob.address, 3, 2_000));
    await bob.sealpost.mail.sync({ account: null });
    expect(bob.sealpost.mail.searchIndexStatus()).toEqual({ pending: 2 });

    const progress: Array<{ indexed: number; pending: number }> = [];
    const indexed = await bob.sealpost.mail.indexPending({
      onProgress: (step) => progress.push(step),
    });
    expect(indexed).toBe(2);
    expect(progress.at(-1)).toEqual({ indexed: 2, pending: 0 });
    expect(bob.sealpost.mail.searchIndexStatus()).toEqual({ pending: 0 });
    expect(bob.sealpost.mail.search({ text: 'Report 3' })[0]!.subject).toBe('Report 3');
  });

  it('indexes pending mail before it answers', async () => {
    await deliverRaw(bob, plainMessage(bob.address, 4, 2_000));
    await bob.sealpost.mail.sync({ account: null });
    expect(bob.sealpost.mail.searchIndexStatus()).toEqual({ pending: 1 });

    expect(bob.sealpost.mail.search({ text: 'Report 4' })[0]!.subject).toBe('Report 4');
    expect(bob.sealpost.mail.searchIndexStatus()).toEqual({ pending: 0 });
  });

  it('treats FTS5 syntax as text', () => {
    expect(bob.sealpost.mail.search({ text: 'harbour OR NEAR(" body:*' })).toHaveLength(0);
    expect(() => bob.sealpost.mail.search({ text: '"unbalanced' })).not.toThrow();
  });
});
