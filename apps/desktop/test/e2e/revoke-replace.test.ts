// Replacing a revoked key through the real Dovecot and Postfix: after `revoke`, the same data
// folder makes a new key, signs with it, and still reads mail encrypted to the revoked key.
// A contact who has the revoked certificate finds it marked revoked in the contact list.

import { describe, expect, it } from 'vitest';
import { certificateToBinary } from '@sealpost/crypto-core';
import { dispatchMailApi } from '@sealpost/ui';
import type { ContactView } from '@sealpost/ui';
import type { AppSession } from '../../src/core/app-session.ts';
import { createMailApiHandlers } from '../../src/core/mail-api-handlers.ts';
import { useCorrespondents, sendEncrypted, syncAndFind, type TestUser } from './stack.ts';

const encoder = new TextEncoder();

describe('revoked key replacement', () => {
  let alice: TestUser;
  let bob: TestUser;

  useCorrespondents((pair) => ({ alice, bob } = pair));

  it('replaces the key and keeps old mail readable', async () => {
    const oldFingerprint = alice.sealpost.keys.list()[0]!.fingerprint;
    const toOldKey = await sendEncrypted(bob, [alice], {
      subject: 'To the old key',
      text: 'Encrypted before the revocation.\n',
    });

    await expect(
      alice.sealpost.keys.replaceRevoked({ address: alice.address, name: null }),
    ).rejects.toMatchObject({ code: 'KEY_NOT_REVOKED' });

    await alice.sealpost.keys.revoke(alice.address);
    // Bob receives the revoked certificate as sync hands an Autocrypt header to the contacts.
    const learned = await bob.sealpost.contacts.learn({
      address: alice.address,
      keydata: await certificateToBinary(alice.sealpost.keys.exportCertificate(alice.address)),
      source: 'autocrypt',
      preferEncrypt: 'mutual',
      seenAt: new Date(),
    });
    expect(learned?.outcome).toBe('updated');
    await expect(
      alice.sealpost.keys.generate({ address: alice.address, name: null }),
    ).rejects.toThrow(/--replace-revoked/);

    const replaced = await alice.sealpost.keys.replaceRevoked({
      address: alice.address,
      name: null,
    });
    expect(replaced.replaced).toBe(oldFingerprint);
    expect(replaced.fingerprint).not.toBe(oldFingerprint);
    expect(alice.sealpost.keys.list()).toEqual([
      { address: alice.address, fingerprint: replaced.fingerprint },
    ]);

    // Mail encrypted to the revoked key still decrypts with the kept secret key.
    const oldMail = await alice.sealpost.mail.read(await syncAndFind(alice, toOldKey.messageId));
    expect(oldMail.text).toContain('Encrypted before the revocation.');

    // Bob's contact list marks alice's key revoked.
    const session = { require: () => bob.sealpost } as unknown as AppSession;
    const handlers = createMailApiHandlers(session, () => undefined);
    const contacts = await dispatchMailApi(handlers, 'contact:list', undefined);
    expect(contacts.ok).toBe(true);
    if (!contacts.ok) return;
    const entry = (contacts.value as ContactView[]).find((c) => c.address === alice.address);
    expect(entry?.revoked).toBe(true);
    await expect(
      sendEncrypted(bob, [alice], { subject: 'To a revoked key', text: 'no\n' }),
    ).rejects.toMatchObject({ code: 'KEY_REVOKED' });

    // With alice's new certificate pinned, her next message verifies as signed by the new key.
    await bob.sealpost.keys.import(
      encoder.encode(alice.sealpost.keys.exportCertificate(alice.address)),
      { keyPassphrase: null, replacePinned: true },
    );
    expect((await bob.sealpost.revokedContacts()).has(alice.address)).toBe(false);
    const newMail = await sendEncrypted(alice, [bob], {
      subject: 'With the new key',
      text: 'Signed by the replacement.\n',
    });
    const read = await bob.sealpost.mail.read(await syncAndFind(bob, newMail.messageId));
    expect(read.signatures).toHaveLength(1);
    expect(read.signatures[0]!.status).toBe('valid');
    expect(read.signatures[0]!.signerFingerprint).toBe(replaced.fingerprint);
  });
});
