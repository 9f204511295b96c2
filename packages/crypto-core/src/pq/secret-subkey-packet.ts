// Secret key material of an algorithm-35 subkey inside a Secret-Subkey packet (tag 7, RFC 9580
// section 5.5.3): the 32-octet X25519 secret key followed by the 64-octet ML-KEM-768 seed.
// It is written protected like openpgp.js protects the other packets of a Sealpost key: S2K
// usage 254, AES-256 in CFB mode over (secret || SHA-1 of secret), with an iterated and salted
// SHA-256 S2K. The S2K key derivation is openpgp.js's, reached through an SKESK packet object.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { SymEncryptedSessionKeyPacket } from 'openpgp';
import { openpgpFullConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import {
  readPublicKeyBody,
  secretMaterialLength,
  x25519KeyLength,
  type MlkemX25519PublicKey,
  type MlkemX25519SecretMaterial,
} from './mlkem-x25519-key.ts';
import { concatBytes } from './packet-framing.ts';

export const secretSubkeyTag = 7;

const usageUnprotected = 0;
const usageCfbSha1 = 254;
const aes256 = 9;
const cfbCiphers = new Map<number, { name: string; keyLength: number }>([
  [7, { name: 'aes-128-cfb', keyLength: 16 }],
  [8, { name: 'aes-192-cfb', keyLength: 24 }],
  [9, { name: 'aes-256-cfb', keyLength: 32 }],
]);
/** S2K specifier type 3 (iterated and salted) with SHA-256 (8); openpgp.js's default count. */
const iteratedS2kType = 3;
const sha256Id = 8;

/** A secret subkey packet read from a key block; the secret stays encrypted until unlocked. */
export interface SecretSubkeyPacket {
  publicKey: MlkemX25519PublicKey;
  /** The packet body as read, to write it back unchanged. */
  body: Uint8Array;
  isProtected: boolean;
}

/** Reads the public part of an algorithm-35 secret subkey body, or null for other algorithms. */
export function readSecretSubkeyBody(body: Uint8Array, label: string): SecretSubkeyPacket | null {
  const read = readPublicKeyBody(body, label);
  if (read === null) return null;
  const usage = body[read.length];
  if (usage === undefined) throw malformed(label, 'the S2K usage octet is missing');
  return { publicKey: read.publicKey, body, isProtected: usage !== usageUnprotected };
}

/**
 * Decrypts the secret material of a secret subkey packet with the passphrase. Unprotected
 * packets (as in published test vectors) need no passphrase. Throws INVALID_PASSPHRASE when
 * the SHA-1 check fails. The caller owns the returned buffers and must wipe them.
 */
export async function unlockSecretSubkey(
  packet: SecretSubkeyPacket,
  passphrase: string | null,
  label: string,
): Promise<MlkemX25519SecretMaterial> {
  const { body, publicKey } = packet;
  let offset = (readPublicKeyBody(body, label) as { length: number }).length;
  const usage = body[offset++] as number;

  if (usage === usageUnprotected) {
    // v4 keys end with a two-octet sum of the secret octets; v6 keys have none.
    const expectedLength = secretMaterialLength + (publicKey.version === 4 ? 2 : 0);
    if (body.length - offset !== expectedLength) {
      throw malformed(label, `${body.length - offset} octets of unprotected secret material`);
    }
    const secret = body.slice(offset, offset + secretMaterialLength);
    if (publicKey.version === 4) {
      const sum = secret.reduce((total, octet) => (total + octet) & 0xffff, 0);
      const stored =
        ((body[offset + secretMaterialLength] as number) << 8) |
        (body[offset + secretMaterialLength + 1] as number);
      if (sum !== stored) throw malformed(label, 'the secret key checksum does not match');
    }
    return splitSecret(secret);
  }

  if (usage !== usageCfbSha1 || publicKey.version !== 4) {
    throw new CryptoError(
      'UNSUPPORTED_ALGORITHM',
      `${label} protects its ML-KEM-768+X25519 secret subkey with S2K usage ${usage} on a v${publicKey.version} key; ` +
        'only usage 254 on v4 keys is supported. Export the key from Sealpost again.',
    );
  }
  if (passphrase === null) {
    throw new CryptoError('INVALID_PASSPHRASE', `${label} is protected; pass its passphrase.`);
  }

  const cipher = cfbCiphers.get(body[offset++] as number);
  if (!cipher)
    throw malformed(label, `symmetric algorithm ${String(body[offset - 1])} for the secret subkey`);
  const { s2k, length: s2kLength } = readS2k(body.subarray(offset), label);
  offset += s2kLength;
  const iv = body.subarray(offset, offset + 16);
  const encrypted = body.subarray(offset + 16);
  if (iv.length !== 16 || encrypted.length !== secretMaterialLength + 20) {
    throw malformed(label, `${encrypted.length} octets of encrypted secret material`);
  }

  const key = await s2k.produceKey(passphrase, cipher.keyLength, openpgpFullConfig);
  let cleartext: Buffer | undefined;
  try {
    const decipher = createDecipheriv(cipher.name, key, iv);
    cleartext = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    const secret = cleartext.subarray(0, secretMaterialLength);
    const digest = createHash('sha1').update(secret).digest();
    if (!timingSafeEqual(digest, cleartext.subarray(secretMaterialLength))) {
      throw new CryptoError(
        'INVALID_PASSPHRASE',
        `The passphrase for the ML-KEM-768+X25519 subkey of ${label} is wrong; check it and try again.`,
      );
    }
    return splitSecret(new Uint8Array(secret));
  } finally {
    key.fill(0);
    cleartext?.fill(0);
  }
}

/** Writes a protected secret subkey body (S2K usage 254, AES-256, iterated SHA-256 S2K). */
export async function writeProtectedSecretSubkey(
  publicKey: MlkemX25519PublicKey,
  secret: MlkemX25519SecretMaterial,
  passphrase: string,
): Promise<Uint8Array> {
  const specifier = concatBytes(
    Uint8Array.of(iteratedS2kType, sha256Id),
    new Uint8Array(randomBytes(8)),
    Uint8Array.of(openpgpFullConfig.s2kIterationCountByte),
  );
  const { s2k } = readS2k(specifier, 'new secret subkey');
  const key = await s2k.produceKey(passphrase, 32, openpgpFullConfig);
  const iv = randomBytes(16);
  const cleartext = Buffer.from(concatBytes(secret.ecdhSecretKey, secret.mlkemSeed));
  try {
    const checksum = createHash('sha1').update(cleartext).digest();
    const cipher = createCipheriv('aes-256-cfb', key, iv);
    const encrypted = Buffer.concat([
      cipher.update(cleartext),
      cipher.update(checksum),
      cipher.final(),
    ]);
    return concatBytes(
      publicKey.packetBody,
      Uint8Array.of(usageCfbSha1, aes256),
      specifier,
      iv,
      encrypted,
    );
  } finally {
    key.fill(0);
    cleartext.fill(0);
  }
}

interface OpenPgpS2k {
  produceKey(passphrase: string, keySize: number, config: unknown): Promise<Uint8Array>;
}

/**
 * Parses an S2K specifier with openpgp.js. openpgp.js exports no S2K class, so the specifier
 * is read as part of a v4 SKESK body (version 4, AES-256, S2K specifier, RFC 9580 section
 * 5.3), whose `s2k` object derives the key. Returns the S2K and its length in octets.
 */
function readS2k(bytes: Uint8Array, label: string): { s2k: OpenPgpS2k; length: number } {
  if (bytes[0] !== iteratedS2kType) {
    throw new CryptoError(
      'UNSUPPORTED_ALGORITHM',
      `${label} uses S2K type ${String(bytes[0])} for its ML-KEM-768+X25519 subkey; only iterated and salted S2K (3) is supported.`,
    );
  }
  const specifier = bytes.subarray(0, 11);
  const skesk = new SymEncryptedSessionKeyPacket();
  try {
    skesk.read(concatBytes(Uint8Array.of(4, aes256), specifier));
  } catch (error) {
    throw malformed(label, `S2K specifier (${describeError(error)})`);
  }
  const s2k = (skesk as unknown as { s2k: OpenPgpS2k | null }).s2k;
  if (specifier.length !== 11 || !s2k || typeof s2k.produceKey !== 'function') {
    throw malformed(label, 'S2K specifier');
  }
  return { s2k, length: specifier.length };
}

function splitSecret(secret: Uint8Array): MlkemX25519SecretMaterial {
  const material = {
    ecdhSecretKey: secret.slice(0, x25519KeyLength),
    mlkemSeed: secret.slice(x25519KeyLength, secretMaterialLength),
  };
  secret.fill(0);
  return material;
}

function malformed(label: string, detail: string): CryptoError {
  return new CryptoError(
    'KEY_MALFORMED',
    `${label} has an invalid ML-KEM-768+X25519 secret subkey packet (${detail}); export the key again.`,
  );
}
