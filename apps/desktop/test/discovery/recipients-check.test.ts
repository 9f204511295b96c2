// The check that an encrypted message has a PKESK for each intended recipient's chosen
// encryption subkey, fed real messages and the same messages with one PKESK removed.

import { PublicKeyEncryptedSessionKeyPacket, readMessage, UnparseablePacket } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  encryptAndSign,
  generateIdentity,
  listPkeskRecipients,
  requireRecipientsEncryptedTo,
  type GeneratedIdentity,
} from '@sealpost/crypto-core';

const data = new TextEncoder().encode('recipients check');

/** Removes the PKESK packets at the given positions among the message's PKESKs. */
async function withoutPkesk(armored: string, position: number): Promise<string> {
  const message = await readMessage({ armoredMessage: armored });
  let index = -1;
  const kept = message.packets.filter((packet) => {
    const isPkesk =
      packet instanceof PublicKeyEncryptedSessionKeyPacket ||
      (packet instanceof UnparseablePacket && packet.tag === 1);
    if (!isPkesk) return true;
    index += 1;
    return index !== position;
  });
  message.packets = kept as typeof message.packets;
  return message.armor();
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
