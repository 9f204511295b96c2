// Decryption of OpenPGP messages whose session key is wrapped to a Curve25519 ECDH key on a
// token (RFC 9580 and RFC 6637). The token computes the X25519 shared
// secret. Sealpost derives the key-encryption key (KDF with SHA-2) and unwraps the session key
// with AES key wrap (RFC 3394, Node crypto). Secrets it derives are wiped after use.
import { createDecipheriv, createHash } from 'node:crypto';
import {
  decrypt,
  enums,
  readMessage,
  type Message,
  type AnyKeyPacket,
  type KeyID,
  type PublicKey,
} from 'openpgp';
import { openpgpConfig } from '../config.ts';
import { CryptoError, describeError } from '../errors.ts';
import { decodeOpenPgpData, type OpenPgpData } from '../input.ts';
import { readCertificateForExternalKey } from './external-sign.ts';

/** Computes X25519(secret, ephemeralPublicKey) on the token; returns the native 32-byte result. */
export type ExternalEcdh = (ephemeralPublicKey: Uint8Array) => Promise<Uint8Array>;

export interface ExternalDecryptOptions {
  message: OpenPgpData;
  /** Certificate whose Curve25519 ECDH subkey lives on the token. */
  certificate: OpenPgpData;
  ecdh: ExternalEcdh;
}

export interface ExternalDecryptResult {
  data: Uint8Array;
  /** Fingerprint of the subkey that unwrapped the session key. */
  subkeyFingerprint: string;
}

// NOTE: the PKESK fields below exist in openpgp.js 6.3 but not in its type declarations. The
// decryption tests fail if a later version renames them.
interface SessionKeyPacketFields {
  version: number;
  publicKeyID: KeyID;
  encrypted: { V: Uint8Array; C: { data: Uint8Array } };
}

interface EcdhPublicParams {
  oid: { write(): Uint8Array };
  kdfParams: { hash: number; cipher: number; write(): Uint8Array };
}

const KEY_WRAP_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const KEK_BYTES: Partial<Record<number, number>> = {
  [enums.symmetric.aes128]: 16,
  [enums.symmetric.aes192]: 24,
  [enums.symmetric.aes256]: 32,
};
const KDF_HASHES: Partial<Record<number, string>> = {
  [enums.hash.sha256]: 'sha256',
  [enums.hash.sha384]: 'sha384',
  [enums.hash.sha512]: 'sha512',
};

function decryptFailed(detail: string, cause?: unknown): CryptoError {
  return new CryptoError('DECRYPT_FAILED', `Decryption with the token failed: ${detail}`, {
    cause,
  });
}

async function readEncryptedMessage(data: OpenPgpData): Promise<Message<Uint8Array>> {
  const decoded = decodeOpenPgpData(data, 'message');
  try {
    return 'armored' in decoded
      ? await readMessage({ armoredMessage: decoded.armored, config: openpgpConfig })
      : await readMessage({ binaryMessage: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw new CryptoError(
      'MESSAGE_MALFORMED',
      `The message cannot be read: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

function curve25519Subkeys(key: PublicKey): AnyKeyPacket[] {
  return key.subkeys
    .map((subkey) => subkey.keyPacket)
    .filter((packet) => packet.algorithm === enums.publicKey.ecdh);
}

/** Unwraps the RFC 6637 session key block: algorithm, key, 2-byte checksum, PKCS#5 padding. */
function unwrapSessionKey(
  kek: Uint8Array,
  wrapped: Uint8Array,
): { algorithm: number; key: Uint8Array } {
  let block: Buffer;
  try {
    const decipher = createDecipheriv(`id-aes${kek.length * 8}-wrap`, kek, KEY_WRAP_IV);
    block = Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch (error) {
    throw decryptFailed(
      'the AES key unwrap failed, so the token contains a different key than the certificate names',
      error,
    );
  }
  try {
    const padding = block[block.length - 1]!;
    const body = block.subarray(0, block.length - padding);
    if (
      padding === 0 ||
      padding > 8 ||
      !block.subarray(block.length - padding).every((byte) => byte === padding)
    ) {
      throw decryptFailed('the session key block has invalid padding');
    }
    const key = new Uint8Array(body.subarray(1, body.length - 2));
    const checksum = key.reduce((sum, byte) => (sum + byte) & 0xffff, 0);
    if (checksum !== body.readUInt16BE(body.length - 2)) {
      key.fill(0);
      throw decryptFailed('the session key checksum does not match');
    }
    return { algorithm: body[0]!, key };
  } finally {
    block.fill(0);
  }
}

export interface ExternalSessionKey {
  /** Symmetric algorithm ID of RFC 9580 section 9.3 from the session key block. */
  algorithm: number;
  /** The session key; the caller must wipe it. */
  data: Uint8Array;
  /** Fingerprint of the subkey that unwrapped the session key. */
  subkeyFingerprint: string;
}

/**
 * Unwraps the session key of `message` with the token's ECDH result and returns it, for a
 * caller that decrypts and verifies with decryptWithSessionKey.
 */
export async function unwrapSessionKeyWithExternalEcdh(
  options: ExternalDecryptOptions,
): Promise<ExternalSessionKey> {
  const key = await readCertificateForExternalKey(options.certificate);
  const message = await readEncryptedMessage(options.message);
  const unwrapped = await unwrapWithExternalEcdh(key, message, options.ecdh);
  return {
    algorithm: unwrapped.sessionKey.algorithm,
    data: unwrapped.sessionKey.key,
    subkeyFingerprint: unwrapped.subkey.getFingerprint(),
  };
}

export async function decryptWithExternalEcdh(
  options: ExternalDecryptOptions,
): Promise<ExternalDecryptResult> {
  const key = await readCertificateForExternalKey(options.certificate);
  const message = await readEncryptedMessage(options.message);
  const { sessionKey, subkey } = await unwrapWithExternalEcdh(key, message, options.ecdh);
  try {
    const result = await decrypt({
      message,
      sessionKeys: {
        data: sessionKey.key,
        algorithm: enums.read(enums.symmetric, sessionKey.algorithm) as never,
      },
      format: 'binary',
      config: openpgpConfig,
    });
    return { data: result.data as Uint8Array, subkeyFingerprint: subkey.getFingerprint() };
  } catch (error) {
    throw decryptFailed(describeError(error), error);
  } finally {
    sessionKey.key.fill(0);
  }
}

/** Finds the PKESK for the token's Curve25519 subkey and unwraps its session key. */
async function unwrapWithExternalEcdh(
  key: PublicKey,
  message: Message<Uint8Array>,
  ecdh: ExternalEcdh,
): Promise<{ sessionKey: { algorithm: number; key: Uint8Array }; subkey: AnyKeyPacket }> {
  const candidates = curve25519Subkeys(key);
  const packets = message.packets.filterByTag(
    enums.packet.publicKeyEncryptedSessionKey,
  ) as unknown as SessionKeyPacketFields[];

  let match: { packet: SessionKeyPacketFields; subkey: AnyKeyPacket } | undefined;
  for (const packet of packets) {
    const subkey = candidates.find((candidate) => packet.publicKeyID.equals(candidate.getKeyID()));
    if (subkey && packet.version === 3) {
      match = { packet, subkey };
      break;
    }
  }
  if (!match) {
    throw new CryptoError(
      'KEY_NOT_FOUND',
      `The message is not encrypted to a Curve25519 subkey of certificate ${key.getFingerprint().toUpperCase()}. Decrypt it with the key it names.`,
    );
  }

  const params = match.subkey.publicParams as unknown as EcdhPublicParams;
  const encrypted = match.packet.encrypted;
  const kekLength = KEK_BYTES[params.kdfParams.cipher];
  const hashName = KDF_HASHES[params.kdfParams.hash];
  if (!kekLength || !hashName) {
    throw new CryptoError(
      'UNSUPPORTED_ALGORITHM',
      `The subkey's KDF parameters (hash ${params.kdfParams.hash}, cipher ${params.kdfParams.cipher}) are not supported; use SHA-2 with AES.`,
    );
  }

  let shared: Uint8Array;
  try {
    shared = await ecdh(encrypted.V.subarray(encrypted.V[0] === 0x40 ? 1 : 0));
  } catch (error) {
    throw decryptFailed(describeError(error), error);
  }

  // KDF of RFC 6637: Hash(00 00 00 01 || shared secret || param), truncated.
  const param = Buffer.concat([
    params.oid.write(),
    Buffer.from([enums.publicKey.ecdh]),
    params.kdfParams.write(),
    Buffer.from('Anonymous Sender    ', 'latin1'),
    match.subkey.getFingerprintBytes()!,
  ]);
  const digest = createHash(hashName)
    .update(Buffer.from([0, 0, 0, 1]))
    .update(shared)
    .update(param)
    .digest();
  const kek = new Uint8Array(digest.subarray(0, kekLength));
  digest.fill(0);
  shared.fill(0);

  try {
    return { sessionKey: unwrapSessionKey(kek, encrypted.C.data), subkey: match.subkey };
  } finally {
    kek.fill(0);
  }
}
