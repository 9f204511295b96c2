// The check that an encrypted message has a PKESK for each intended recipient's chosen
// encryption subkey, fed real messages and the same messages with one PKESK removed.

import { armor, enums, unarmor } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encryptAndSign,
  generateIdentity,
  listPkeskRecipients,
  requireRecipientsEncryptedTo,
  type GeneratedIdentity,
} from '@sealpost/crypto-core';

const data = new TextEncoder().encode('recipients check');

/**
 * Removes the PKESK at the given position. PKESKs lead the message, and openpgp.js writes them
 * with OpenPGP-format headers and one- or two-octet lengths (RFC 9580 section 4.2.1).
 */
async function withoutPkesk(armored: string, position: number): Promise<string> {
  const { data: bytes } = (await unarmor(armored)) as { data: Uint8Array };
  const packets: Array<{ start: number; end: number }> = [];
  let offset = 0;
  while ((bytes[offset]! & 0x3f) === 1) {
    const first = bytes[offset + 1]!;
    const [headerLength, length] =
      first < 192 ? [2, first] : [3, ((first - 192) << 8) + bytes[offset + 2]! + 192];
    packets.push({ start: offset, end: offset + headerLength + length });
    offset += headerLength + length;
  }
  const removed = packets[position]!;
  const kept = new Uint8Array([
    ...bytes.subarray(0, removed.start),
    ...bytes.subarray(removed.end),
  ]);
  return armor(enums.armor.message, kept);
}

describe('recipients check', () => {
  let alice: GeneratedIdentity;
  let bob: GeneratedIdentity;
  let classicalOnly: GeneratedIdentity;

  beforeAll(async () => {
    alice = await generateIdentity({ address: 'alice@sealpost.test', passphrase: 'a' });
    bob = await generateIdentity({ address: 'bob@sealpost.test', passphrase: 'b' });
    classicalOnly = await generateIdentity({
      address: 'carol@sealpost.test',
      passphrase: 'c',
      postQuantum: false,
    });
  });

  it('passes a classical message to every recipient', async () => {
    const recipientCertificates = [alice.certificate, classicalOnly.certificate];
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode: 'classical',
    } as Parameters<typeof encryptAndSign>[0]);
    const found = await listPkeskRecipients(message);
    expect(found.keyIds).toHaveLength(2);
    await expect(
      requireRecipientsEncryptedTo({ message, recipientCertificates, mode: 'classical' }),
    ).resolves.toBeUndefined();
  });

  it('rejects a classical message missing a PKESK', async () => {
    const recipientCertificates = [alice.certificate, classicalOnly.certificate];
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode: 'classical',
    } as Parameters<typeof encryptAndSign>[0]);
    const tampered = await withoutPkesk(message, 1);
    expect((await listPkeskRecipients(tampered)).keyIds).toHaveLength(1);
    const check = requireRecipientsEncryptedTo({
      message: tampered,
      recipientCertificates,
      mode: 'classical',
    });
    await expect(check).rejects.toMatchObject({ code: 'RECIPIENT_NOT_ENCRYPTED_TO' });
    await expect(check).rejects.toThrow(classicalOnly.fingerprint);
  });

  it('passes a post-quantum message to every recipient', async () => {
    const recipientCertificates = [alice.certificate, bob.certificate];
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode: 'pq',
    } as Parameters<typeof encryptAndSign>[0]);
    await expect(
      requireRecipientsEncryptedTo({ message, recipientCertificates, mode: 'pq' }),
    ).resolves.toBeUndefined();
  });

  it('rejects a post-quantum message missing a PKESK', async () => {
    const recipientCertificates = [alice.certificate, bob.certificate];
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode: 'pq',
    } as Parameters<typeof encryptAndSign>[0]);
    const tampered = await withoutPkesk(message, 0);
    const check = requireRecipientsEncryptedTo({
      message: tampered,
      recipientCertificates,
      mode: 'pq',
    });
    await expect(check).rejects.toMatchObject({ code: 'RECIPIENT_NOT_ENCRYPTED_TO' });
    await expect(check).rejects.toThrow(alice.fingerprint);
  });

  it('rejects a classical PKESK where post-quantum was chosen', async () => {
    const recipientCertificates = [alice.certificate, bob.certificate];
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode: 'classical',
    } as Parameters<typeof encryptAndSign>[0]);
    await expect(
      requireRecipientsEncryptedTo({ message, recipientCertificates, mode: 'pq' }),
    ).rejects.toMatchObject({ code: 'RECIPIENT_NOT_ENCRYPTED_TO' });
  });
});
