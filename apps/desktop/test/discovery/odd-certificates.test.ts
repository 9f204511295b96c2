// Certificates with unusable parts, learned as from an Autocrypt header: the usable parts are
// used, the rest is ignored, and nothing crashes.

import {
  armor,
  config as openpgpDefaults,
  enums,
  generateKey,
  PacketList,
  PublicKey,
  readKey,
  SignaturePacket,
  unarmor,
} from 'openpgp';
import type { PrivateKey, SecretKeyPacket } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encryptAndSign,
  listIgnoredParts,
  listPkeskRecipients,
  readCertificate,
} from '@sealpost/crypto-core';
import { encode, openLocalUser, type LocalUser } from './helpers.ts';

const HOUR = 60 * 60 * 1000;
const SALT_NOTATION = 'salt@notations.openpgpjs.org';

/** Generates a v4 Curve25519 key for `address` with the given encryption subkeys. */
async function generateFor(
  address: string,
  subkeys: Array<{ keyExpirationTime?: number }>,
  date = new Date(Date.now() - HOUR),
): Promise<PrivateKey> {
  const { privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ email: address }],
    subkeys,
    date,
    format: 'object',
  });
  return privateKey;
}

/**
 * Signs a copy of a subkey's binding signature again at `date` after `edit` changed it, as
 * the key owner would issue a newer one. The salt notation of openpgp.js is dropped first,
 * because sign() adds a fresh one.
 */
async function resignBinding(
  key: PrivateKey,
  subkeyIndex: number,
  date: Date,
  edit: (signature: SignaturePacket) => void,
): Promise<SignaturePacket> {
  const subkey = key.subkeys[subkeyIndex]!;
  const signature = new SignaturePacket();
  signature.read(subkey.bindingSignatures[0]!.write());
  const fields = signature as unknown as { rawNotations: Array<{ name: string }> };
  fields.rawNotations = fields.rawNotations.filter(({ name }) => name !== SALT_NOTATION);
  edit(signature);
  const signable = signature as unknown as {
    sign(
      key: SecretKeyPacket,
      data: { key: SecretKeyPacket; bind: unknown },
      date: Date,
      detached: boolean,
      config: typeof openpgpDefaults,
    ): Promise<void>;
  };
  const primary = key.keyPacket as SecretKeyPacket;
  await signable.sign(
    primary,
    { key: primary, bind: subkey.keyPacket },
    date,
    false,
    openpgpDefaults,
  );
  return signature;
}

/** Appends `critical` subpacket `type` with a one-octet body to the hashed subpacket area. */
function addHashedSubpacket(signature: SignaturePacket, type: number, critical: boolean): void {
  const target = signature as unknown as { writeHashedSubPackets(): Uint8Array };
  const original = target.writeHashedSubPackets.bind(signature);
  target.writeHashedSubPackets = () => {
    const area = original();
    const subpackets = area.subarray(2);
    const added = Uint8Array.of(2, (critical ? 0x80 : 0) | type, 1);
    const length = subpackets.length + added.length;
    return Uint8Array.from([length >> 8, length & 0xff, ...subpackets, ...added]);
  };
}

/** Frames `body` as an OpenPGP-format packet with a one- or two-octet length. */
function packet(tag: number, body: Uint8Array): Uint8Array {
  const length =
    body.length < 192
      ? [body.length]
      : [((body.length - 192) >> 8) + 192, (body.length - 192) & 0xff];
  return Uint8Array.from([0xc0 | tag, ...length, ...body]);
}

/** Encrypts to the certificate classically and returns the key IDs its PKESKs name. */
async function pkeskKeyIds(certificate: string): Promise<string[]> {
  const message = await encryptAndSign({
    data: new TextEncoder().encode('odd'),
    recipientCertificates: [certificate],
    encryptToSigner: false,
    mode: 'classical',
  });
  return (await listPkeskRecipients(message)).keyIds;
}

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

  it('skips a subkey of an unknown algorithm', async () => {
    const address = `unknown-algorithm-${user.address}`;
    const key = await generateFor(address, [{}]);
    const { data } = (await unarmor(key.toPublic().armor())) as { data: Uint8Array };
    // A v4 public subkey of the unassigned algorithm 100 with opaque key material, followed
    // by a copy of the real binding signature, which cannot be valid for it.
    const created = Math.floor(Date.now() / 1000) - 60;
    const unknownSubkey = packet(
      14,
      Uint8Array.from([
        4,
        created >>> 24,
        (created >> 16) & 0xff,
        (created >> 8) & 0xff,
        created & 0xff,
        100,
        0,
        8,
        0xff,
      ]),
    );
    const binding = key.subkeys[0]!.bindingSignatures[0]!.write() as Uint8Array;
    const armored = armor(
      enums.armor.publicKey,
      Uint8Array.from([...data, ...unknownSubkey, ...packet(2, binding)]),
    );

    const info = await readCertificate(armored);
    expect(info.hasEncryptionSubkey).toBe(true);
    const ignored = await listIgnoredParts(armored);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatchObject({
      kind: 'subkey',
      reason: 'unknown public-key algorithm 100',
    });
    const learned = await learn(address, armored);
    expect(learned?.outcome).toBe('new');
    const [stored] = user.sealpost.contacts.certificatesFor([address]);
    expect(await pkeskKeyIds(stored!)).toEqual([key.subkeys[0]!.getKeyID().toHex()]);

    const [imported] = await user.sealpost.keys.import(new TextEncoder().encode(armored), {
      keyPassphrase: null,
      replacePinned: false,
    });
    expect(imported!.ignored).toHaveLength(1);
    expect(imported!.summary).toContain('Ignored subkey');
    expect(imported!.summary).toContain('unknown public-key algorithm 100');
  });

  it('skips a subkey whose binding has an unknown critical subpacket', async () => {
    const address = `critical-${user.address}`;
    const key = await generateFor(address, [{}, {}]);
    // Of two subkeys created together, openpgp.js picks the first, so that one is broken.
    const broken = await resignBinding(key, 0, new Date(Date.now() - HOUR / 2), (signature) =>
      addHashedSubpacket(signature, 100, true),
    );
    key.subkeys[0]!.bindingSignatures = [broken];
    const armored = key.toPublic().armor();
    const ignored = await listIgnoredParts(armored);
    expect(ignored).toHaveLength(1);
    expect(ignored[0]?.id).toBe(key.subkeys[0]!.getFingerprint());
    expect(ignored[0]?.reason).toMatch(/Unknown critical signature subpacket type 100/);

    const learned = await learn(address, armored);
    expect(learned?.outcome).toBe('new');
    const [stored] = user.sealpost.contacts.certificatesFor([address]);
    expect(await pkeskKeyIds(stored!)).toEqual([key.subkeys[1]!.getKeyID().toHex()]);
  });

  it('uses the newer binding that extends expiry', async () => {
    const address = `extended-${user.address}`;
    const key = await generateFor(address, [{ keyExpirationTime: 60 }]);
    expect((await readCertificate(key.toPublic().armor())).hasEncryptionSubkey).toBe(false);

    const extended = await resignBinding(key, 0, new Date(Date.now() - HOUR / 2), (signature) => {
      (signature as unknown as { keyExpirationTime: number }).keyExpirationTime = 365 * 24 * 3600;
    });
    key.subkeys[0]!.bindingSignatures.push(extended);
    const armored = key.toPublic().armor();
    expect(await listIgnoredParts(armored)).toEqual([]);

    const info = await readCertificate(armored);
    expect(info.hasEncryptionSubkey).toBe(true);
    const learned = await learn(address, armored);
    expect(learned?.outcome).toBe('new');
    const [stored] = user.sealpost.contacts.certificatesFor([address]);
    expect(await pkeskKeyIds(stored!)).toEqual([key.subkeys[0]!.getKeyID().toHex()]);
  });

  it('keeps the address beside a non-UTF-8 User ID', async () => {
    const address = `latin1-${user.address}`;
    const key = await generateFor(address, [{}]);
    const { data } = (await unarmor(key.toPublic().armor())) as { data: Uint8Array };
    // "Jörg" in ISO-8859-1 (0xF6 is not valid UTF-8), with a copy of the real self-signature.
    const latin1UserId = packet(13, Uint8Array.from([0x4a, 0xf6, 0x72, 0x67]));
    const selfSignature = key.users[0]!.selfCertifications[0]!.write() as Uint8Array;
    const armored = armor(
      enums.armor.publicKey,
      Uint8Array.from([...data, ...latin1UserId, ...packet(2, selfSignature)]),
    );

    const info = await readCertificate(armored);
    expect(info.addresses).toEqual([address]);
    expect(await listIgnoredParts(armored)).toEqual([
      { kind: 'user-id', id: 'J\u00f6rg', reason: 'the User ID is not valid UTF-8' },
    ]);
    const learned = await learn(address, armored);
    expect(learned?.outcome).toBe('new');
    const [stored] = user.sealpost.contacts.certificatesFor([address]);
    expect(await pkeskKeyIds(stored!)).toEqual([key.subkeys[0]!.getKeyID().toHex()]);
  });

  it('ignores bytes that are not a certificate', async () => {
    expect(await learn(`garbage-${user.address}`, 'not a key')).toBeNull();
  });
});
