// Certificates with unusable parts, learned as from an Autocrypt header: the usable parts are
// used, the rest is ignored, and nothing crashes.

import { enums, generateKey, PacketList, PublicKey, readKey } from 'openpgp';
import type { SecretKeyPacket } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificate } from '@sealpost/crypto-core';
import { encode, openLocalUser, type LocalUser } from './helpers.ts';

const HOUR = 60 * 60 * 1000;

describe('odd certificates', () => {
  let user: LocalUser;

  beforeAll(async () => {
    user = await openLocalUser('odd');
  });

  afterAll(() => user?.close());

  const learn = (address: string, armored: string) =>
    user.sealpost.contacts.learn({
      address,
      keydata: encode(armored),
      source: 'autocrypt',
      preferEncrypt: null,
      seenAt: new Date(),
    });

  it('uses the valid subkey beside expired and revoked ones', async () => {
    const address = `subkeys-${user.address}`;
    const { privateKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address }],
      subkeys: [{}, { keyExpirationTime: 60 }, {}],
      date: new Date(Date.now() - HOUR),
      format: 'object',
    });
    const revoked = await privateKey.subkeys[2]!.revoke(privateKey.keyPacket as SecretKeyPacket);
    privateKey.subkeys[2] = revoked;
    const armored = privateKey.toPublic().armor();

    const info = await readCertificate(armored);
    expect(info.hasEncryptionSubkey).toBe(true);
    const learned = await learn(address, armored);
    expect(learned?.outcome).toBe('new');

    const key = await readKey({ armoredKey: armored });
    const encryptionKey = await key.getEncryptionKey();
    expect(encryptionKey.getKeyID().equals(privateKey.subkeys[0]!.getKeyID())).toBe(true);
  });

  it('ignores a certificate whose only encryption subkey expired', async () => {
    const address = `expired-${user.address}`;
    const { publicKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address }],
      subkeys: [{ keyExpirationTime: 60 }],
      date: new Date(Date.now() - HOUR),
      format: 'armored',
    });
    expect(await learn(address, publicKey)).toBeNull();
    expect(user.sealpost.contacts.list().some((contact) => contact.address === address)).toBe(
      false,
    );
  });

  it('ignores a certificate without a User ID', async () => {
    const address = `no-uid-${user.address}`;
    const { publicKey } = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: address }],
      format: 'object',
    });
    const withoutUserId = new PacketList();
    let skipCertification = false;
    for (const packet of publicKey.toPacketList()) {
      const tag = (packet.constructor as unknown as { tag: number }).tag;
      if (tag === enums.packet.userID) {
        skipCertification = true;
        continue;
      }
      if (tag === enums.packet.signature && skipCertification) {
        skipCertification = false;
        continue;
      }
      withoutUserId.push(packet);
    }
    const armored = new PublicKey(withoutUserId).armor();
    expect(await learn(address, armored)).toBeNull();
  });

  it('ignores bytes that are not a certificate', async () => {
    expect(await learn(`garbage-${user.address}`, 'not a key')).toBeNull();
  });
});
