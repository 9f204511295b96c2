// The shared negotiation rule end to end on the local mail stack. The plan (dry run) and the
// real send agree, and the mode and reason are stored with the sent message and shown when its
// Sent copy is read. Changed keys, lost post-quantum support, v6 certificates and missing keys
// each show in the plan or stop the send.

import { generateKey, readPrivateKey, revokeKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '@sealpost/crypto-core';
import { createUser, uniqueAddress, type TestUser } from '../e2e/stack.ts';
import { encode } from './helpers.ts';

async function classicalCertificate(address: string): Promise<string> {
  const { publicKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ email: address }],
    format: 'armored',
  });
  return publicKey;
}

describe('negotiation', () => {
  let alice: TestUser;
  let bob: TestUser;
  const classical = uniqueAddress('dave');

  beforeAll(async () => {
    alice = await createUser('alice');
    bob = await createUser('bob');
    const importInto = (user: TestUser, armored: string) =>
      user.sealpost.keys.import(encode(armored), { keyPassphrase: null, replacePinned: false });
    await importInto(alice, bob.sealpost.keys.exportCertificate(bob.address));
    await importInto(alice, await classicalCertificate(classical));
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  const plan = (to: string[]) => alice.sealpost.planSend({ from: null, to, cc: [], bcc: [] });
  const send = (to: string[], allowPlaintext = false) =>
    alice.sealpost.mail.send({
      from: null,
      to,
      cc: [],
      bcc: [],
      subject: 'Negotiated',
      text: 'Hello.\n',
      attachments: [],
      allowPlaintext,
    });

  it('plans and sends post-quantum, and records it', async () => {
    const preview = await plan([bob.address]);
    expect(preview.mode).toBe('openpgp');
    expect(preview.encryption).toBe('pq');
    expect(preview.warnings).toEqual([]);

    const sent = await send([bob.address]);
    expect(sent.mode).toBe(preview.mode);
    expect(sent.postQuantum).toBe(true);
    expect(sent.modeReason).toBe(preview.reason);

    await alice.sealpost.mail.sync({ account: null });
    const sentCopy = alice.sealpost.mail
      .list({ account: null, folder: 'Sent' })
      .find((message) => message.messageId === sent.messageId);
    expect(sentCopy).toBeDefined();
    const read = await alice.sealpost.mail.read(sentCopy!.id);
    expect(read.negotiation?.mode).toBe('openpgp');
    expect(read.negotiation?.encryption).toBe('pq');
    expect(read.negotiation?.reason).toBe(preview.reason);
    expect(read.negotiation?.recipients).toEqual([
      {
        address: bob.address,
        fingerprint: bob.sealpost.keys.list()[0]!.fingerprint,
        postQuantum: true,
      },
    ]);
  });

  it('falls to classical for a recipient without ML-KEM', async () => {
    const preview = await plan([bob.address, classical]);
    expect(preview.mode).toBe('openpgp');
    expect(preview.encryption).toBe('classical');
    expect(preview.reason).toMatch(/^classical OpenPGP: 1 of 3 recipients/);
    expect(preview.recipients.map((recipient) => recipient.postQuantum)).toEqual([true, false]);
  });

  it('shows a missing key in the plan and refuses to send', async () => {
    const unknown = uniqueAddress('nokey');
    const preview = await plan([unknown]);
    expect(preview.mode).toBe('signed-plaintext');
    expect(preview.recipients[0]?.status).toBe('key-missing');
    await expect(send([unknown])).rejects.toMatchObject({ code: 'RECIPIENT_KEY_MISSING' });
  });

  it('refuses a v6 recipient before sending', async () => {
    const address = uniqueAddress('v6');
    const { publicKey } = await generateKey({
      type: 'curve25519',
      userIDs: [{ email: address }],
      config: { v6Keys: true },
      format: 'armored',
    });
    await alice.sealpost.keys.import(encode(publicKey), {
      keyPassphrase: null,
      replacePinned: false,
    });

    const preview = await plan([address]);
    expect(preview.mode).toBe('signed-plaintext');
    expect(preview.recipients[0]?.reason).toMatch(/OpenPGP v6 certificate/);
    await expect(send([address], true)).rejects.toMatchObject({
      code: 'RECIPIENT_KEY_UNSUPPORTED',
    });
  });

  it('plans a revoked key as the send rejects it', async () => {
    const address = uniqueAddress('revoked');
    const { privateKey, publicKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address }],
      format: 'armored',
    });
    const { publicKey: revoked } = await revokeKey({
      key: await readPrivateKey({ armoredKey: privateKey }),
      format: 'armored',
    });
    const learn = (armored: string) =>
      alice.sealpost.contacts.learn({
        address,
        keydata: encode(armored),
        source: 'autocrypt',
        preferEncrypt: 'mutual',
        seenAt: new Date(),
      });
    await learn(publicKey);
    await learn(revoked);
    await learn(await classicalCertificate(address));

    // Even with plaintext allowed the send rejects the recipient, so the preview does too.
    await expect(plan([address])).rejects.toMatchObject({ code: 'KEY_REVOKED' });
    await expect(send([address], true)).rejects.toMatchObject({ code: 'KEY_REVOKED' });
  });

  it('warns about a changed key, then about lost post-quantum support', async () => {
    const downgraded = await classicalCertificate(bob.address);
    const fingerprint = (await readCertificate(downgraded)).fingerprint;
    const learned = await alice.sealpost.contacts.learn({
      address: bob.address,
      keydata: encode(downgraded),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
    expect(learned?.outcome).toBe('changed-flagged');
    expect(learned?.warnings[0]).toMatch(/has no post-quantum/);

    const changed = await plan([bob.address]);
    expect(changed.encryption).toBe('pq');
    expect(changed.recipients[0]?.status).toBe('key-changed');
    expect(changed.warnings.join('\n')).toContain(`accept-key ${bob.address} ${fingerprint}`);

    alice.sealpost.trust.acceptKey(bob.address, fingerprint);
    const downgradedPlan = await plan([bob.address]);
    expect(downgradedPlan.encryption).toBe('classical');
    expect(downgradedPlan.warnings.join('\n')).toMatch(/had a post-quantum .* has none now/);

    const sent = await send([bob.address]);
    expect(sent.postQuantum).toBe(false);
    expect(sent.warnings).toEqual(downgradedPlan.warnings);
  });
});
