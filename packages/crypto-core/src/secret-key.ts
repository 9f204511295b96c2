// Passphrase-protected secret keys (RFC 9580 section 5.5.3, S2K usage 254) and the opaque
// UnlockedKey handle that signing and decryption use. Secret keys are only ever returned
// protected; an unprotected key is accepted on import only to be protected at once.
// NOTE: JavaScript cannot guarantee that secret key material is erased from memory. clear()
// zeroes the buffers openpgp.js holds, but the garbage collector may have copied them before.
import { decryptKey, encryptKey, readPrivateKey, type PrivateKey } from 'openpgp';
import { describeCertificate, type CertificateInfo } from './certificate.ts';
import { openpgpConfig, openpgpFullConfig } from './config.ts';
import { CryptoError, describeError, wrapError } from './errors.ts';
import { decodeOpenPgpData, requireString, type OpenPgpData } from './input.ts';

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

  /** The public certificate of this key, armored. */
  get certificate(): string {
    return privateKeyOf(this).toPublic().armor(openpgpFullConfig);
  }

  /** Zeroes the decrypted secret parameters (openpgp.js clearPrivateParams) and drops them. */
  clear(): void {
    const privateKey = unlockedPrivateKeys.get(this);
    if (!privateKey) return;
    unlockedPrivateKeys.delete(this);
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
  const privateKey = await parseSecretKey(data);
  return describeSecretKey(privateKey, options.date ?? new Date());
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
  const privateKey = await parseSecretKey(secretKey);
  if (!isProtected(privateKey)) {
    throw new CryptoError(
      'UNPROTECTED_SECRET_KEY',
      `Secret key ${privateKey.getFingerprint()} is not passphrase-protected; protect it first with importSecretKey or protectSecretKey.`,
    );
  }
  return new UnlockedKey(constructorToken, await decryptWithPassphrase(privateKey, passphrase));
}

/**
 * Imports a secret key, for example from "gpg --export-secret-keys". A protected key must come
 * with its passphrase, which is checked; an unprotected key is protected with the passphrase.
 * Returns the protected armored secret key, its armored certificate and its details.
 */
export async function importSecretKey(
  data: OpenPgpData,
  passphrase?: string,
): Promise<{ secretKey: string; certificate: string; info: SecretKeyInfo }> {
  const privateKey = await parseSecretKey(data);

  if (!isProtected(privateKey)) {
    if (passphrase === undefined || passphrase === '') {
      throw new CryptoError(
        'UNPROTECTED_SECRET_KEY',
        `Secret key ${privateKey.getFingerprint()} is not passphrase-protected; pass a passphrase to protect it on import.`,
      );
    }
    const protectedKey = await protectWithPassphrase(privateKey, passphrase);
    return secretKeyResult(protectedKey);
  }

  if (passphrase === undefined || passphrase === '') {
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `Secret key ${privateKey.getFingerprint()} is protected; pass its passphrase so the import can check it.`,
    );
  }
  const unlocked = await decryptWithPassphrase(privateKey, passphrase);
  clearPrivateKey(unlocked);
  return secretKeyResult(privateKey);
}

/**
 * Re-protects a secret key with a new passphrase. The current passphrase is required when
 * the key is protected. Returns the armored secret key.
 */
export async function protectSecretKey(
  secretKey: OpenPgpData,
  newPassphrase: string,
  oldPassphrase?: string,
): Promise<string> {
  requireString(newPassphrase, 'newPassphrase');
  const privateKey = await parseSecretKey(secretKey);

  if (!isProtected(privateKey)) {
    if (hasEncryptedPackets(privateKey)) {
      throw new CryptoError(
        'KEY_MALFORMED',
        `Secret key ${privateKey.getFingerprint()} is only partly protected; protect all of it with GnuPG first.`,
      );
    }
    return (await protectWithPassphrase(privateKey, newPassphrase)).armor(openpgpFullConfig);
  }

  if (oldPassphrase === undefined || oldPassphrase === '') {
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `Secret key ${privateKey.getFingerprint()} is protected; pass its current passphrase.`,
    );
  }
  const unlocked = await decryptWithPassphrase(privateKey, oldPassphrase);
  try {
    return (await protectWithPassphrase(unlocked, newPassphrase)).armor(openpgpFullConfig);
  } finally {
    clearPrivateKey(unlocked);
  }
}

/** Exports an unlocked key as an armored secret key protected with the given passphrase. */
export async function exportSecretKey(key: UnlockedKey, passphrase: string): Promise<string> {
  requireString(passphrase, 'passphrase');
  return (await protectWithPassphrase(privateKeyOf(key), passphrase)).armor(openpgpFullConfig);
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

async function decryptWithPassphrase(
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

async function protectWithPassphrase(
  privateKey: PrivateKey,
  passphrase: string,
): Promise<PrivateKey> {
  try {
    return await encryptKey({ privateKey, passphrase, config: openpgpConfig });
  } catch (error) {
    throw wrapError(
      error,
      'KEY_MALFORMED',
      `Secret key ${privateKey.getFingerprint()} could not be protected`,
    );
  }
}

async function secretKeyResult(
  privateKey: PrivateKey,
): Promise<{ secretKey: string; certificate: string; info: SecretKeyInfo }> {
  const info = await describeSecretKey(privateKey, new Date());
  return { secretKey: privateKey.armor(openpgpFullConfig), certificate: info.armored, info };
}

async function describeSecretKey(privateKey: PrivateKey, date: Date): Promise<SecretKeyInfo> {
  const packet = privateKey.keyPacket as PrivateKey['keyPacket'] & { isDummy(): boolean };
  return {
    ...(await describeCertificate(privateKey.toPublic(), date)),
    isProtected: isProtected(privateKey),
    hasPrimarySecretKey: !packet.isDummy(),
  };
}

/** A key is protected when none of its secret key packets contains decrypted key material. */
function isProtected(privateKey: PrivateKey): boolean {
  return !privateKey.getKeys().some(({ keyPacket }) => keyPacket.isDecrypted() === true);
}

/** Whether any secret key packet contains encrypted key material. GnuPG stubs contain none. */
function hasEncryptedPackets(privateKey: PrivateKey): boolean {
  return privateKey
    .getKeys()
    .some(({ keyPacket }) => (keyPacket as { isEncrypted?: boolean | null }).isEncrypted === true);
}

function clearPrivateKey(privateKey: PrivateKey): void {
  (privateKey as PrivateKey & { clearPrivateParams(): void }).clearPrivateParams();
}
