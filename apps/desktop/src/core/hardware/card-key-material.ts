// Extracts the secret values an OpenPGP card imports from an identity's unprotected secret key:
// the Ed25519 seed of the primary key and the Curve25519 ECDH secret of its classical
// encryption subkey, in the form the card's key import expects. Also builds the stub that
// replaces the stored key once the key is on the card, which is GnuPG's "gnu-dummy" S2K packets
// (openpgp.js makeDummy) with no secret material. The caller must call wipe().
import { SecretKeyPacket, enums, readPrivateKey, type PrivateKey } from 'openpgp';
import { CoreError } from '../errors.ts';

export interface CardKeyMaterial {
  signingSeed: Uint8Array;
  decryptionSecret: Uint8Array;
  primaryFingerprint: string;
  subkeyFingerprint: string;
  primaryCreated: Date;
  subkeyCreated: Date;
  /** Armored secret key without secret material, for the identity record. */
  stub: string;
  /** Armored certificate with the primary key and the classical subkeys only. */
  classicalCertificate: string;
  wipe(): void;
}

// NOTE: privateParams is not in openpgp.js 6.3's type declarations; the card tests fail if a
// later version renames it.
interface SecretParams {
  privateParams?: { seed?: Uint8Array; d?: Uint8Array };
}

const CURVE25519_OID_HEX = '2b060104019755010501';

export async function readCardKeyMaterial(armoredSecretKey: string): Promise<CardKeyMaterial> {
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: armoredSecretKey });
  } catch (error) {
    throw new CoreError(
      'KEY_UNUSABLE',
      'The stored secret key cannot be read for the card import.',
      {
        cause: error,
      },
    );
  }

  const primary = key.keyPacket;
  const seed = (primary as unknown as SecretParams).privateParams?.seed;
  if (primary.algorithm !== enums.publicKey.eddsaLegacy || !seed || seed.length !== 32) {
    throw new CoreError(
      'KEY_UNUSABLE',
      `Key ${primary.getFingerprint().toUpperCase()} is not an Ed25519 key; an OpenPGP card can hold only Ed25519 signing keys for Sealpost.`,
    );
  }

  const subkey = key.subkeys.find((candidate) => {
    const packet = candidate.keyPacket;
    const oid = (packet.publicParams as { oid?: { toHex(): string } }).oid?.toHex();
    return packet.algorithm === enums.publicKey.ecdh && oid === CURVE25519_OID_HEX;
  });
  const secret = (subkey?.keyPacket as unknown as SecretParams | undefined)?.privateParams?.d;
  if (!subkey || !secret || secret.length !== 32) {
    throw new CoreError(
      'KEY_UNUSABLE',
      `Key ${primary.getFingerprint().toUpperCase()} has no Curve25519 encryption subkey to put on the card; add one with "sealpost key rotate" first.`,
    );
  }

  const signingSeed = seed.slice();
  const decryptionSecret = secret.slice();
  const classicalCertificate = key.toPublic().armor();

  for (const packet of [primary, ...key.subkeys.map((other) => other.keyPacket)]) {
    if (packet instanceof SecretKeyPacket) packet.makeDummy();
  }
  const stub = key.armor();

  return {
    signingSeed,
    decryptionSecret,
    primaryFingerprint: primary.getFingerprint().toUpperCase(),
    subkeyFingerprint: subkey.keyPacket.getFingerprint().toUpperCase(),
    primaryCreated: primary.getCreationTime(),
    subkeyCreated: subkey.keyPacket.getCreationTime(),
    stub,
    classicalCertificate,
    wipe() {
      signingSeed.fill(0);
      decryptionSecret.fill(0);
    },
  };
}
