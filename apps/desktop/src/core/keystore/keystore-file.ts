// keystore.json: which keystore protects a data folder and, in passphrase mode, the sealed
// keys. Keychain mode stores no secret in the file. A file with `migratingFrom` marks a
// migration from the scrypt vault that has not finished; the next unlock resumes it.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CoreError } from '../errors.ts';
import type { Argon2idParameters } from './passphrase-kdf.ts';

export type KeystoreMode = 'keychain' | 'passphrase';

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
  const validMode =
    contents.mode === 'keychain' ||
    (contents.mode === 'passphrase' &&
      typeof contents.sealedKeys === 'string' &&
      typeof contents.kdf === 'object');
  if (
    contents.version !== 2 ||
    typeof contents.folderId !== 'string' ||
    !/^[0-9a-f]{32}$/.test(contents.folderId) ||
    !validMode
  ) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The keystore file ${file} has an unknown format; restore it from a backup.`,
    );
  }
  return contents as KeystoreFile;
}

/** Writes `contents` to a temporary file and renames it, so a crash leaves the old or the new file. */
export function writeKeystoreFile(file: string, contents: KeystoreFile): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
