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

type Mode = 'classical' | 'pq';
type Name = 'alice' | 'bob' | 'carol';

describe('recipients check', () => {
  const identities = {} as Record<Name, GeneratedIdentity>;

  beforeAll(async () => {
    identities.alice = await generateIdentity({ address: 'alice@sealpost.test', passphrase: 'a' });
    identities.bob = await generateIdentity({ address: 'bob@sealpost.test', passphrase: 'b' });
    // carol has classical subkeys only.
    identities.carol = await generateIdentity({
      address: 'carol@sealpost.test',
      passphrase: 'c',
      postQuantum: false,
    });
  });

  /** Encrypts `data` to `names` in `mode`; returns the message and the recipients' certificates. */
  async function encryptTo(names: Name[], mode: Mode) {
    const recipientCertificates = names.map((name) => identities[name].certificate);
    const message = await encryptAndSign({
      data,
      recipientCertificates,
      mode,
    } as Parameters<typeof encryptAndSign>[0]);
    return { message, recipientCertificates };
  }

  it.each([
    { mode: 'classical', names: ['alice', 'carol'] },
    { mode: 'pq', names: ['alice', 'bob'] },
  ] as Array<{ mode: Mode; names: Name[] }>)(
    'passes a $mode message to every recipient',
    async ({ mode, names }) => {
      const { message, recipientCertificates } = await encryptTo(names, mode);
      expect((await listPkeskRecipients(message)).keyIds).toHaveLength(names.length);
      await expect(
        requireRecipientsEncryptedTo({ message, recipientCertificates, mode }),
      ).resolves.toBeUndefined();
    },
  );

  it.each([
    { mode: 'classical', names: ['alice', 'carol'], removed: 1, missing: 'carol' },
    { mode: 'pq', names: ['alice', 'bob'], removed: 0, missing: 'alice' },
  ] as Array<{ mode: Mode; names: Name[]; removed: number; missing: Name }>)(
    'rejects a $mode message missing a PKESK',
    async ({ mode, names, removed, missing }) => {
      const { message, recipientCertificates } = await encryptTo(names, mode);
      const tampered = await withoutPkesk(message, removed);
      expect((await listPkeskRecipients(tampered)).keyIds).toHaveLength(names.length - 1);
      const check = requireRecipientsEncryptedTo({
        message: tampered,
        recipientCertificates,
        mode,
      });
      await expect(check).rejects.toMatchObject({ code: 'RECIPIENT_NOT_ENCRYPTED_TO' });
      await expect(check).rejects.toThrow(identities[missing].fingerprint);
    },
  );

  it('rejects a classical PKESK where post-quantum was chosen', async () => {
    const { message, recipientCertificates } = await encryptTo(['alice', 'bob'], 'classical');
    await expect(
      requireRecipientsEncryptedTo({ message, recipientCertificates, mode: 'pq' }),
    ).rejects.toMatchObject({ code: 'RECIPIENT_NOT_ENCRYPTED_TO' });
  });
});
