// A revoked key's revocation reaching contacts in OpenPGP mode, through the real Dovecot and
// Postfix. A revoked, not yet replaced key stops a send before anything is queued. After the
// replacement, the next message to each contact carries the revoked certificate as an
// application/pgp-keys part, which Sealpost and GnuPG apply. Forged revocations change nothing.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptAndSign } from '@sealpost/crypto-core';
import { buildEncryptedMessage, buildInnerEntity } from '@sealpost/mail-transport';
import { dispatchMailApi } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import type { ReadResult } from '../../src/core/read.ts';
import { createGnuPg } from './gnupg.ts';
import {
  createCorrespondents,
  useCorrespondents,
  createUser,
  deliverRaw,
  sendEncrypted,
  syncAndFind,
  type TestUser,
} from './stack.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pgpKeysParts(read: ReadResult) {
  return read.attachments.filter((attachment) => attachment.contentType === 'application/pgp-keys');
}

function pinnedFingerprint(user: TestUser, address: string): string | null {
  return user.sealpost.contacts.list().find((c) => c.address === address)?.fingerprint ?? null;
}

describe('revocation notice in OpenPGP mode', () => {
  let alice: TestUser;
  let bob: TestUser;

  useCorrespondents((pair) => ({ alice, bob } = pair));

  it('rejects a send with a revoked, unreplaced key', async () => {
    const handlers = createMailApiHandlers(
      { require: () => alice.sealpost } as unknown as AppSession,
      () => undefined,
    );
    const draft = await dispatchMailApi(handlers, 'draft:save', {
      id: null,
      draft: {
        from: null,
        to: [bob.address],
        cc: [],
        bcc: [],
        subject: 'Draft',
        text: 'Kept.\n',
        attachments: [],
      },
    });
    expect(draft).toMatchObject({ ok: true });
    await alice.sealpost.keys.revoke(alice.address);

    const sent = sendEncrypted(alice, [bob], { subject: 'Revoked', text: 'no\n', openpgp: true });
    await expect(sent).rejects.toMatchObject({ code: 'OWN_KEY_REVOKED' });
    await expect(sent).rejects.toThrow(
      `sealpost key generate --replace-revoked --address ${alice.address}`,
    );
    await expect(sent).rejects.not.toThrow(/Primary key is revoked/);

    // The composer's send and its plan fail the same way, and nothing is queued or lost.
    const viaApi = await dispatchMailApi(handlers, 'mail:send', {
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Revoked',
      text: 'no\n',
      attachments: [],
      allowPlaintext: false,
    });
    expect(viaApi.ok).toBe(false);
    if (!viaApi.ok) expect(viaApi.error.code).toBe('OWN_KEY_REVOKED');
    const plan = await dispatchMailApi(handlers, 'mail:plan', {
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
    });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.error.code).toBe('OWN_KEY_REVOKED');
    expect(alice.sealpost.mail.listOutbox()).toEqual([]);
    expect(alice.sealpost.drafts.list()).toHaveLength(1);
  });

  it('carries the revoked certificate to a contact once', async () => {
    const oldFingerprint = alice.sealpost.keys.list()[0]!.fingerprint;
    const { fingerprint: newFingerprint } = await alice.sealpost.keys.replaceRevoked({
      address: alice.address,
      name: null,
    });
    expect(pinnedFingerprint(bob, alice.address)).toBe(oldFingerprint);
    expect((await bob.sealpost.revokedContacts()).has(alice.address)).toBe(false);

    const first = await sendEncrypted(alice, [bob], {
      subject: 'New key',
      text: 'My key changed.\n',
      openpgp: true,
    });
    expect(first.mode).toBe('openpgp');
    const firstRead = await bob.sealpost.mail.read(await syncAndFind(bob, first.messageId));

    // The part stays a normal attachment, and the text line names the revoked key.
    const parts = pgpKeysParts(firstRead);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.filename).toBe(`revoked-${oldFingerprint.slice(-16).toUpperCase()}.asc`);
    expect(firstRead.text).toContain('My key changed.');
    expect(firstRead.text).toContain(`The key ${oldFingerprint} of ${alice.address} is revoked`);
    expect(firstRead.text).toContain('Sealpost applies it automatically');

    // Bob's pin stays on the old key, now revoked, so nothing is encrypted to it again.
    expect(pinnedFingerprint(bob, alice.address)).toBe(oldFingerprint);
    expect((await bob.sealpost.revokedContacts()).has(alice.address)).toBe(true);
    await expect(
      sendEncrypted(bob, [alice], { subject: 'To the old key', text: 'no\n' }),
    ).rejects.toMatchObject({ code: 'KEY_REVOKED' });

    // The new key signed the message; it is named, but not trusted until bob accepts it.
    expect(firstRead.signatures).toHaveLength(1);
    expect(firstRead.signatures[0]!.signerFingerprint).toBe(newFingerprint);
    expect(firstRead.signatures[0]!.status).toBe('unknown-key');
    expect(firstRead.signatures[0]!.reason).toContain(
      `sealpost contacts accept-key ${alice.address} ${newFingerprint}`,
    );
    expect(firstRead.signatureSummary).toBe('unverified');

    // GnuPG applies the attached revocation on import.
    const gpg = createGnuPg();
    try {
      const file = path.join(gpg.home, parts[0]!.filename);
      writeFileSync(file, parts[0]!.content!);
      gpg.run(['--import', file]);
      const listed = gpg.run(['--with-colons', '--list-keys', oldFingerprint]).stdout;
      expect(listed).toMatch(/^pub:r:/m);
    } finally {
      gpg.close();
    }

    const second = await sendEncrypted(alice, [bob], {
      subject: 'Again',
      text: 'Second message.\n',
      openpgp: true,
    });
    const secondRead = await bob.sealpost.mail.read(await syncAndFind(bob, second.messageId));
    expect(pgpKeysParts(secondRead)).toEqual([]);
    expect(secondRead.text).not.toContain('is revoked');

    // Once bob accepts the new key, alice's mail verifies as signed by it.
    bob.sealpost.trust.acceptKey(alice.address, newFingerprint);
    const reread = await bob.sealpost.mail.read(secondRead.id);
    expect(reread.signatures[0]!.status).toBe('valid');
    expect(reread.signatures[0]!.signerFingerprint).toBe(newFingerprint);
    expect(reread.signatureSummary).toBe('verified');
  }, 120_000);
});

describe('forged revocation parts', () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());
    carol = await createUser('carol');
    await bob.sealpost.keys.import(
      encoder.encode(carol.sealpost.keys.exportCertificate(carol.address)),
      { keyPassphrase: null, replacePinned: false },
    );
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
    carol?.close();
  });

  it('ignores revocations that do not verify', async () => {
    const aliceCertificate = alice.sealpost.keys.exportCertificate(alice.address);
    await carol.sealpost.keys.revoke(carol.address);
    const carolRevoked = carol.sealpost.keys.exportCertificate(carol.address);

    // Alice's certificate with carol's revocation signature spliced in.
    const otherSigner = await openpgp.readKey({ armoredKey: aliceCertificate });
    const carolKey = await openpgp.readKey({ armoredKey: carolRevoked });
    otherSigner.revocationSignatures.push(...carolKey.revocationSignatures);

    // Alice's own revocation signature with a changed digest prefix, so it does not verify.
    const { publicKey: corrupted } = await openpgp.revokeKey({
      key: await openpgp.readKey({ armoredKey: aliceCertificate }),
      revocationCertificate: alice.sealpost.keys.exportRevocationCertificate(alice.address),
      format: 'object',
    });
    const signature = corrupted.revocationSignatures[0]!;
    signature.signedHashValue = signature.signedHashValue!.map((byte) => byte ^ 0xff);

    const parts = [
      { filename: 'other-signer.asc', armored: otherSigner.armor() },
      { filename: 'corrupted.asc', armored: corrupted.armor() },
      // A valid revocation, but of carol's key, which is not the sender's.
      { filename: 'not-the-sender.asc', armored: carolRevoked },
    ];
    const sent = await sendEncrypted(alice, [bob], {
      subject: 'Forged',
      text: 'Three key parts.\n',
      openpgp: true,
      attachments: parts.map((part) => ({
        filename: part.filename,
        contentType: 'application/pgp-keys',
        content: encoder.encode(part.armored),
      })),
    });
    const read = await bob.sealpost.mail.read(await syncAndFind(bob, sent.messageId));

    expect(read.signatureSummary).toBe('verified');
    expect(pgpKeysParts(read).map((part) => part.filename)).toEqual(
      parts.map((part) => part.filename),
    );
    expect(decoder.decode(pgpKeysParts(read)[2]!.content!)).toBe(carolRevoked);
    expect([...(await bob.sealpost.revokedContacts())]).toEqual([]);
    await expect(
      sendEncrypted(bob, [alice], { subject: 'Still fine', text: 'yes\n', openpgp: true }),
    ).resolves.toMatchObject({ mode: 'openpgp' });
  }, 120_000);

  it('ignores a revocation in unsigned mail', async () => {
    await alice.sealpost.keys.revoke(alice.address);
    const revokedCertificate = alice.sealpost.keys.exportCertificate(alice.address);

    // Encrypted to bob with alice's genuine revocation attached, but without a signature.
    const messageId = `<unsigned-revocation-${Date.now()}@sealpost.test>`;
    const headers = {
      from: { address: alice.address },
      to: [{ address: bob.address }],
      date: new Date(),
      messageId,
    };
    const inner = buildInnerEntity({
      headers: { ...headers, subject: 'Unsigned' },
      text: 'No signature.\n',
      attachments: [
        {
          filename: 'revoked.asc',
          contentType: 'application/pgp-keys',
          content: encoder.encode(revokedCertificate),
        },
      ],
    });
    const armoredCiphertext = await encryptAndSign({
      data: inner,
      recipientCertificates: [bob.sealpost.keys.exportCertificate(bob.address)],
    });
    await deliverRaw(bob, buildEncryptedMessage({ headers, armoredCiphertext }));

    const read = await bob.sealpost.mail.read(await syncAndFind(bob, messageId));
    expect(read.signatureSummary).toBe('unsigned');
    expect(pgpKeysParts(read)).toHaveLength(1);
    expect([...(await bob.sealpost.revokedContacts())]).toEqual([]);
  }, 120_000);
});
