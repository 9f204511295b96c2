// Passphrase-protected secret keys (RFC 9580 section 5.5.3, S2K usage 254) and the opaque
// UnlockedKey handle that signing and decryption use. Secret keys are only ever returned
// protected; an unprotected key is accepted on import only to be protected at once.
// A handle also owns its decrypted ML-KEM-768+X25519 (RFC 9980 algorithm 35) secret subkeys,
// which openpgp.js drops; secret-key-protection.ts writes keys together with them.
// NOTE: JavaScript cannot guarantee that secret key material is erased from memory. clear()
// zeroes the buffers openpgp.js holds, but the garbage collector may have copied them before.
import { decryptKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { describeCertificate, type CertificateInfo } from './certificate.ts';
import { openpgpConfig } from './config.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import { decodeOpenPgpData, requireString, type OpenPgpData } from './input.ts';
import { wipeSecretMaterial } from './pq/mlkem-x25519-key.ts';
import { armorPackets } from './pq/packet-framing.ts';
import {
  blockOf,
  certificateWithPostQuantumSubkeys,
  readKeyBlockPackets,
} from './pq/pq-certificate.ts';
import { anySecretSubkeyProtected, secretSubkeysProtected } from './pq/pq-secret-key-packets.ts';
import type { PostQuantumKeyState } from './pq/pq-secret-key.ts';
import type { KeyBlockPackets } from './pq/subkey-packets.ts';

export interface SecretKeyInfo extends CertificateInfo {
  /** True when every secret key packet that contains key material is passphrase-protected. */
  isProtected: boolean;
  /** False when the primary secret key is a GnuPG stub (offline primary key). */
  hasPrimarySecretKey: boolean;
}

/** A secret key plus its passphrase, accepted wherever an UnlockedKey is. */
export interface LockedSecretKey {
  secretKey: string;
  passphrase: string;
}

export type SecretKeyInput = UnlockedKey | LockedSecretKey;

const unlockedPrivateKeys = new WeakMap<UnlockedKey, PrivateKey>();
/** The algorithm-35 packets and decrypted secret subkeys of each handle. */
const postQuantumStates = new WeakMap<UnlockedKey, PostQuantumKeyState>();
const constructorToken = Symbol('UnlockedKey');

/**
 * A secret key whose key material is decrypted in memory. The decrypted key is held outside
 * the object, so it does not show up in logs, JSON or structured clones. Call clear() as soon
 * as the key is no longer needed.
 */
export class UnlockedKey {
  readonly fingerprint: string;
  readonly keyId: string;

  /** @internal Use unlockSecretKey(). */
  constructor(token: symbol, privateKey: PrivateKey) {
    if (token !== constructorToken) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'UnlockedKey cannot be constructed directly; call unlockSecretKey().',
      );
    }
    this.fingerprint = privateKey.getFingerprint();
    this.keyId = privateKey.getKeyID().toHex();
    unlockedPrivateKeys.set(this, privateKey);
  }

  /** Whether clear() has run, after which the key can no longer sign or decrypt. */
  get isCleared(): boolean {
    return !unlockedPrivateKeys.has(this);
  }

  /** The public certificate of this key, armored, with its algorithm-35 subkeys. */
  get certificate(): string {
    const privateKey = privateKeyOf(this);
    const block = postQuantumStates.get(this)?.block ?? null;
    return armorPackets(
      'publicKey',
      certificateWithPostQuantumSubkeys(privateKey.toPublic(), block),
      privateKey.keyPacket.version !== 6,
    );
  }

  /**
   * Zeroes the decrypted secret parameters (openpgp.js clearPrivateParams) and the decrypted
   * algorithm-35 secret subkeys, and drops them.
   */
  clear(): void {
    const privateKey = unlockedPrivateKeys.get(this);
    if (!privateKey) return;
    unlockedPrivateKeys.delete(this);
    postQuantumStates.get(this)?.subkeys.forEach((subkey) => wipeSecretMaterial(subkey.secret));
    postQuantumStates.delete(this);
    (privateKey as PrivateKey & { clearPrivateParams(): void }).clearPrivateParams();
  }

  toJSON(): { fingerprint: string } {
    return { fingerprint: this.fingerprint };
  }
}

/** Returns the decrypted openpgp.js key behind a handle; crypto-core internal. */
export function privateKeyOf(key: UnlockedKey): PrivateKey {
  const privateKey = unlockedPrivateKeys.get(key);
  if (!privateKey) {
    throw new CryptoError(
      'KEY_CLEARED',
      `The unlocked key ${key.fingerprint} was cleared; unlock it again.`,
    );
  }
  return privateKey;
}

/**
 * Attaches the decrypted algorithm-35 subkeys to a handle; the handle then owns their secrets
 * and clear() wipes them. crypto-core internal (pq/pq-secret-key.ts).
 */
export function attachPostQuantumState(key: UnlockedKey, state: PostQuantumKeyState): void {
  privateKeyOf(key);
  postQuantumStates.set(key, state);
}

/** Returns the algorithm-35 state of a handle, or undefined when none was attached. */
export function postQuantumStateOf(key: UnlockedKey): PostQuantumKeyState | undefined {
  return postQuantumStates.get(key);
}

/**
 * Runs an operation with decrypted keys. Keys given as (secretKey, passphrase) are unlocked
 * for the operation and cleared afterwards; UnlockedKey handles stay as the caller owns them.
 */
export async function withPrivateKeys<T>(
  inputs: readonly SecretKeyInput[],
  label: string,
  operation: (keys: PrivateKey[]) => Promise<T>,
): Promise<T> {
  const temporary: UnlockedKey[] = [];
  try {
    const keys: PrivateKey[] = [];
    for (const [index, input] of inputs.entries()) {
      if (input instanceof UnlockedKey) {
        keys.push(privateKeyOf(input));
      } else if (
        typeof input === 'object' &&
        input !== null &&
        'secretKey' in input &&
        'passphrase' in input
      ) {
        const unlocked = await unlockSecretKey(input.secretKey, input.passphrase);
        temporary.push(unlocked);
        keys.push(privateKeyOf(unlocked));
      } else {
        throw new CryptoError(
          'INVALID_ARGUMENT',
          `${label}[${index}] must be an UnlockedKey or { secretKey, passphrase }.`,
        );
      }
    }
    return await operation(keys);
  } finally {
    for (const unlocked of temporary) unlocked.clear();
  }
}

/** Reads a secret key and reports its certificate details and protection state. */
export async function readSecretKeyInfo(
  data: OpenPgpData,
  options: { date?: Date } = {},
): Promise<SecretKeyInfo> {
  const { privateKey, block } = await parseSecretKeyBlock(data);
  return describeSecretKey(privateKey, block, options.date ?? new Date());
}

/**
 * Decrypts a protected secret key. Throws INVALID_PASSPHRASE for a wrong passphrase and
 * UNPROTECTED_SECRET_KEY for a key stored without one (import it with importSecretKey).
 */
export async function unlockSecretKey(
  secretKey: OpenPgpData,
  passphrase: string,
): Promise<UnlockedKey> {
  requireString(passphrase, 'passphrase');
  const { privateKey, block } = await parseSecretKeyBlock(secretKey);
  if (!isProtected(privateKey, block)) {
    throw new CryptoError(
      'UNPROTECTED_SECRET_KEY',
      `Secret key ${privateKey.getFingerprint()} is not passphrase-protected; protect it first with importSecretKey or protectSecretKey.`,
    );
  }
  return new UnlockedKey(constructorToken, await decryptWithPassphrase(privateKey, passphrase));
}

/**
 * Opens a secret key stored without a passphrase, as the Stateless OpenPGP CLI exchanges
 * keys. Throws INVALID_PASSPHRASE when any part of the key is protected; use unlockSecretKey.
 */
export async function openUnprotectedSecretKey(secretKey: OpenPgpData): Promise<UnlockedKey> {
  const { privateKey, block } = await parseSecretKeyBlock(secretKey);
  if (hasEncryptedPackets(privateKey) || anySecretSubkeyProtected(block)) {
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `Secret key ${privateKey.getFingerprint()} is passphrase-protected; pass its passphrase.`,
    );
  }
  return new UnlockedKey(constructorToken, privateKey);
}

/** Reads a secret key and the packets of its algorithm-35 subkeys. */
export async function parseSecretKeyBlock(
  data: OpenPgpData,
): Promise<{ privateKey: PrivateKey; block: KeyBlockPackets | null }> {
  const privateKey = await parseSecretKey(data);
  const blocks = await readKeyBlockPackets(data, 'Secret key');
  return { privateKey, block: blockOf(privateKey, blocks) };
}

async function parseSecretKey(data: OpenPgpData): Promise<PrivateKey> {
  const decoded = decodeOpenPgpData(data, 'Secret key');
  try {
    return 'armored' in decoded
      ? await readPrivateKey({ armoredKey: decoded.armored, config: openpgpConfig })
      : await readPrivateKey({ binaryKey: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw new CryptoError(
      'KEY_MALFORMED',
      `Secret key could not be read (${describeError(error)}). Pass one complete secret key block, ` +
        'armored ("-----BEGIN PGP PRIVATE KEY BLOCK-----") or binary, for example from "gpg --export-secret-keys".',
      { cause: error },
    );
  }
}

export async function decryptWithPassphrase(
  privateKey: PrivateKey,
  passphrase: string,
): Promise<PrivateKey> {
  try {
    return await decryptKey({ privateKey, passphrase, config: openpgpConfig });
  } catch (error) {
    if (/incorrect key passphrase/i.test(describeError(error))) {
      throw new CryptoError(
        'INVALID_PASSPHRASE',
        `The passphrase for secret key ${privateKey.getFingerprint()} is wrong; check it and try again.`,
        { cause: error },
      );
    }
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Secret key ${privateKey.getFingerprint()} could not be unlocked`,
    );
  }
}

export async function describeSecretKey(
  privateKey: PrivateKey,
  block: KeyBlockPackets | null,
  date: Date,
): Promise<SecretKeyInfo> {
  const packet = privateKey.keyPacket as PrivateKey['keyPacket'] & { isDummy(): boolean };
  return {
    ...(await describeCertificate(privateKey.toPublic(), date, block)),
    isProtected: isProtected(privateKey, block),
    hasPrimarySecretKey: !packet.isDummy(),
  };
}

/**
 * Checks that no secret key packet contains decrypted key material, algorithm-35 secret
 * subkeys included.
 */
export function isProtected(privateKey: PrivateKey, block: KeyBlockPackets | null): boolean {
  const openPgpProtected = !privateKey
    .getKeys()
    .some(({ keyPacket }) => keyPacket.isDecrypted() === true);
  return openPgpProtected && secretSubkeysProtected(block);
}

/** Whether any secret key packet contains encrypted key material. GnuPG stubs contain none. */
export function hasEncryptedPackets(privateKey: PrivateKey): boolean {
  return privateKey
    .getKeys()
    .some(({ keyPacket }) => (keyPacket as { isEncrypted?: boolean | null }).isEncrypted === true);
}

export function clearPrivateKey(privateKey: PrivateKey): void {
  (privateKey as PrivateKey & { clearPrivateParams(): void }).clearPrivateParams();
}
