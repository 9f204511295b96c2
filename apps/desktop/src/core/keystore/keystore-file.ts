// keystore.json: which keystore protects a data folder and, in passphrase mode, the sealed
// keys. Keychain mode stores no secret in the file. A file with `migratingFrom` marks a
// migration from the scrypt vault that has not finished; the next unlock resumes it. FIDO2
// slots hold the keys wrapped under a security key's hmac-secret output (fido2-slots.ts).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CoreError } from '../errors.ts';
import type { Argon2idParameters } from './passphrase-kdf.ts';

/**
 * The place of the keys: the OS keychain, sealed under the passphrase, or only in FIDO2 slots
 * ("fido2", reached with `key fido2 enroll --require`), with a recovery seal beside them.
 */
export type KeystoreMode = 'keychain' | 'passphrase' | 'fido2';

/** One enrolled FIDO2 security key. Its fields are not secret, because the keys open only with the authenticator. */
export interface Fido2Slot {
  /** Random 128-bit id, hex; bound to `wrappedKeys` as AES-GCM associated data. */
  id: string;
  name: string;
  /** WebAuthn relying party ID of the credential, e.g. "sealpost.local". */
  rpId: string;
  /** Base64 credential ID of the non-resident credential. */
  credentialId: string;
  /** Base64 of the 32-byte hmac-secret salt (salt1 of CTAP 2.1). */
  salt: string;
  /** True when the credential was made with the PIN, so unlocking needs the PIN too. */
  userVerification: boolean;
  /** Base64 of IV, GCM tag and the wrapped key-encryption and database keys. */
  wrappedKeys: string;
  /** ISO 8601 time of enrolment. */
  createdAt: string;
}

export interface KeystoreFile {
  version: 2;
  /** Random id that names this folder's entries in the keychain. */
  folderId: string;
  mode: KeystoreMode;
  /** Passphrase mode only: the Argon2id parameters of the wrapping key. */
  kdf?: Argon2idParameters;
  /** Passphrase mode only: base64 of IV, GCM tag and the sealed key-encryption and database keys. */
  sealedKeys?: string;
  migratingFrom?: 'scrypt-vault';
  /** Enrolled FIDO2 security keys; in keychain and passphrase mode an additional way in. */
  fido2?: Fido2Slot[];
  /**
   * FIDO2 mode only: the secret of the recovery seal in `kdf` and `sealedKeys`, either the
   * former Sealpost passphrase or a 40-digit recovery code shown once at enrolment.
   */
  recovery?: 'passphrase' | 'recovery-code';
}

export function keystoreFileExists(file: string): boolean {
  return existsSync(file);
}

export function readKeystoreFile(file: string): KeystoreFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The keystore file ${file} cannot be read; restore it from a backup.`,
      { cause: error },
    );
  }
  const contents = parsed as Partial<KeystoreFile>;
  const sealed = typeof contents.sealedKeys === 'string' && typeof contents.kdf === 'object';
  const validMode =
    contents.mode === 'keychain' ||
    (contents.mode === 'passphrase' && sealed) ||
    (contents.mode === 'fido2' &&
      sealed &&
      (contents.recovery === 'passphrase' || contents.recovery === 'recovery-code') &&
      Array.isArray(contents.fido2) &&
      contents.fido2.length > 0);
  const validSlots =
    contents.fido2 === undefined ||
    (Array.isArray(contents.fido2) && contents.fido2.every((slot) => isFido2Slot(slot)));
  if (
    contents.version !== 2 ||
    typeof contents.folderId !== 'string' ||
    !/^[0-9a-f]{32}$/.test(contents.folderId) ||
    !validMode ||
    !validSlots
  ) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The keystore file ${file} has an unknown format; restore it from a backup.`,
    );
  }
  return contents as KeystoreFile;
}

function isFido2Slot(value: unknown): value is Fido2Slot {
  const slot = value as Partial<Fido2Slot> | null;
  return (
    typeof slot === 'object' &&
    slot !== null &&
    typeof slot.id === 'string' &&
    /^[0-9a-f]{32}$/.test(slot.id) &&
    typeof slot.name === 'string' &&
    typeof slot.rpId === 'string' &&
    typeof slot.credentialId === 'string' &&
    typeof slot.salt === 'string' &&
    typeof slot.userVerification === 'boolean' &&
    typeof slot.wrappedKeys === 'string' &&
    typeof slot.createdAt === 'string'
  );
}

/** Writes `contents` to a temporary file and renames it, so a crash leaves the old or the new file. */
export function writeKeystoreFile(file: string, contents: KeystoreFile): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
