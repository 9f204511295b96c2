// The keystore of a data folder: a random 256-bit key-encryption key (KEK) and a random
// 256-bit database key, kept in the OS keychain, or, where no keychain is available, sealed
// with AES-256-GCM under an Argon2id-stretched passphrase in keystore.json. Subkeys for the
// OpenPGP secret keys, the account-password vault and the audit log are derived from the KEK
// with HKDF-SHA256 (RFC 5869), so each use has its own key. A folder in FIDO2 mode keeps the
// keys only wrapped under FIDO2 slots, plus a recovery seal in the passphrase format.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { normalizeRecoveryCode } from '../backup.ts';
import { CoreError } from '../errors.ts';
import { probeKeychain } from './keychain.ts';
import type { Keychain } from './keychain.ts';
import { readKeystoreFile, writeKeystoreFile } from './keystore-file.ts';
import type { KeystoreFile, KeystoreMode } from './keystore-file.ts';
import type { Argon2idParameters } from './passphrase-kdf.ts';
import { ARGON2ID_DEFAULTS, ARGON2ID_SALT_LENGTH, deriveWrappingKey } from './passphrase-kdf.ts';

const KEY_LENGTH = 32;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const SEALED_KEYS_AAD = Buffer.from('sealpost keystore v2');
export const MIN_PASSPHRASE_LENGTH = 8;

/** The unlocked keys of a data folder. The holder calls `wipe()` when it closes. */
export class UnlockedKeystore {
  readonly #kek: Buffer;
  readonly #databaseKey: Buffer;

  constructor(
    readonly mode: KeystoreMode,
    kek: Buffer,
    databaseKey: Buffer,
  ) {
    this.#kek = kek;
    this.#databaseKey = databaseKey;
  }

  /** The key of the SQLite database; a view of the buffer this object owns and wipes. */
  get databaseKey(): Uint8Array {
    return this.#databaseKey;
  }

  /**
   * The passphrase that protects the OpenPGP secret keys (S2K, RFC 9580 section 3.7): 32
   * bytes derived from the KEK, as base64url text, because openpgp.js takes a string.
   */
  openpgpPassphrase(): string {
    const bytes = this.deriveKey('sealpost openpgp passphrase v1');
    try {
      return bytes.toString('base64url');
    } finally {
      bytes.fill(0);
    }
  }

  /** Derives a 32-byte key for `purpose` from the KEK; the caller owns and wipes it. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#kek, Buffer.alloc(0), purpose, KEY_LENGTH));
  }

  /** Wraps both keys with AES-256-GCM under `wrappingKey`; see `openWrappedKeys`. */
  wrap(wrappingKey: Uint8Array, associatedData: Buffer): string {
    return wrapKeys(wrappingKey, associatedData, this.#kek, this.#databaseKey);
  }

  /** Seals both keys under an Argon2id-stretched `secret`, in the passphrase-mode format. */
  sealWithSecret(secret: string): { kdf: Argon2idParameters; sealedKeys: string } {
    return sealKeys(secret, this.#kek, this.#databaseKey);
  }

  wipe(): void {
    this.#kek.fill(0);
    this.#databaseKey.fill(0);
  }
}

/** Returns base64 of IV, GCM tag and the encrypted KEK and database key. */
function wrapKeys(
  wrappingKey: Uint8Array,
  associatedData: Buffer,
  kek: Buffer,
  databaseKey: Buffer,
): string {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv);
  cipher.setAAD(associatedData);
  const plain = Buffer.concat([kek, databaseKey]);
  try {
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  } finally {
    plain.fill(0);
  }
}

/**
 * Opens keys wrapped by `UnlockedKeystore.wrap`. Raises KEYSTORE_CORRUPT for a blob of the
 * wrong length. A wrong key or a changed blob fails the GCM tag check, and then the error that
 * `onAuthenticationFailure` returns is raised, so no unauthenticated byte is used.
 */
export function openWrappedKeys(
  wrappingKey: Uint8Array,
  associatedData: Buffer,
  wrapped: string,
  mode: KeystoreMode,
  onAuthenticationFailure: (cause: unknown) => CoreError,
): UnlockedKeystore {
  const sealed = Buffer.from(wrapped, 'base64');
  if (sealed.length !== IV_LENGTH + TAG_LENGTH + 2 * KEY_LENGTH) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The wrapped keys have ${sealed.length} bytes instead of ${IV_LENGTH + TAG_LENGTH + 2 * KEY_LENGTH}; restore keystore.json from a backup.`,
    );
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, sealed.subarray(0, IV_LENGTH));
    decipher.setAAD(associatedData);
    decipher.setAuthTag(sealed.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
    plain = Buffer.concat([
      decipher.update(sealed.subarray(IV_LENGTH + TAG_LENGTH)),
      decipher.final(),
    ]);
  } catch (error) {
    throw onAuthenticationFailure(error);
  }
  const keystore = new UnlockedKeystore(
    mode,
    Buffer.from(plain.subarray(0, KEY_LENGTH)),
    Buffer.from(plain.subarray(KEY_LENGTH)),
  );
  plain.fill(0);
  return keystore;
}

function sealKeys(
  secret: string,
  kek: Buffer,
  databaseKey: Buffer,
): { kdf: Argon2idParameters; sealedKeys: string } {
  const kdf = {
    name: 'argon2id' as const,
    ...ARGON2ID_DEFAULTS,
    salt: randomBytes(ARGON2ID_SALT_LENGTH).toString('base64'),
  };
  const wrappingKey = deriveWrappingKey(secret, kdf);
  try {
    return { kdf, sealedKeys: wrapKeys(wrappingKey, SEALED_KEYS_AAD, kek, databaseKey) };
  } finally {
    wrappingKey.fill(0);
  }
}

export interface CreateKeystoreOptions {
  keychain: Keychain | null;
  /** Required when no keychain is given or it does not work. */
  passphrase: string | null;
  /** Use the passphrase even when the keychain works. */
  preferPassphrase: boolean;
  migratingFrom?: KeystoreFile['migratingFrom'];
}

export interface CreatedKeystore {
  keystore: UnlockedKeystore;
  /** Set when the passphrase was chosen because the keychain did not work, with the reason. */
  fallbackReason: string | null;
}

/** Creates the keys of a new data folder and records where they are kept in `file`. */
export function createKeystore(file: string, options: CreateKeystoreOptions): CreatedKeystore {
  const folderId = randomBytes(16).toString('hex');
  const kek = randomBytes(KEY_LENGTH);
  const databaseKey = randomBytes(KEY_LENGTH);

  let fallbackReason: string | null = null;
  if (options.keychain && !options.preferPassphrase) {
    const failure = probeKeychain(options.keychain, entryName(folderId, 'probe'));
    if (!failure) {
      options.keychain.set(entryName(folderId, 'kek'), kek.toString('base64'));
      options.keychain.set(entryName(folderId, 'database-key'), databaseKey.toString('base64'));
      writeKeystoreFile(file, {
        version: 2,
        folderId,
        mode: 'keychain',
        ...(options.migratingFrom ? { migratingFrom: options.migratingFrom } : {}),
      });
      return { keystore: new UnlockedKeystore('keychain', kek, databaseKey), fallbackReason };
    }
    fallbackReason = failure.message;
  } else if (!options.keychain && !options.preferPassphrase) {
    fallbackReason = 'no OS keychain is available';
  }

  if (options.passphrase === null) {
    throw new CoreError(
      'PASSPHRASE_REQUIRED',
      `Sealpost cannot keep its keys in the OS keychain (${fallbackReason ?? 'passphrase requested'}), ` +
        'so it needs a passphrase; pass one with --passphrase-file.',
    );
  }
  assertPassphraseStrength(options.passphrase);
  const { kdf, sealedKeys } = sealKeys(options.passphrase, kek, databaseKey);
  writeKeystoreFile(file, {
    version: 2,
    folderId,
    mode: 'passphrase',
    kdf,
    sealedKeys,
    ...(options.migratingFrom ? { migratingFrom: options.migratingFrom } : {}),
  });
  return { keystore: new UnlockedKeystore('passphrase', kek, databaseKey), fallbackReason };
}

/** Unlocks the keys recorded in `file`, from the keychain or with `passphrase`. */
export function unlockKeystore(
  file: string,
  options: { keychain: Keychain | null; passphrase: string | null },
): UnlockedKeystore {
  const contents = readKeystoreFile(file);
  if (contents.mode === 'keychain') return unlockFromKeychain(contents, options.keychain);

  if (contents.mode === 'fido2') return unlockRecoverySeal(file, contents, options.passphrase);

  if (options.passphrase === null) {
    throw new CoreError(
      'PASSPHRASE_REQUIRED',
      'This data folder is protected by a Sealpost passphrase; enter it or pass --passphrase-file.',
    );
  }
  return unsealWithSecret(file, contents, options.passphrase, () => {
    return 'The Sealpost passphrase is wrong. Enter the passphrase you chose when you set up Sealpost.';
  });
}

/**
 * Unlocks a FIDO2-mode folder without its security key: with the former Sealpost passphrase or
 * with the recovery code shown at enrolment, whichever `contents.recovery` names.
 */
function unlockRecoverySeal(
  file: string,
  contents: KeystoreFile,
  secret: string | null,
): UnlockedKeystore {
  const recoveryCode = contents.recovery === 'recovery-code';
  if (secret === null) {
    throw new CoreError(
      'FIDO2_REQUIRED',
      'This data folder is unlocked with its FIDO2 security key. Connect the key, or recover with ' +
        (recoveryCode
          ? 'the recovery code shown at enrolment (--fido2-recovery-code-file).'
          : 'the Sealpost passphrase (--passphrase-file).'),
    );
  }
  const normalized = recoveryCode ? normalizeRecoveryCode(secret) : secret;
  return unsealWithSecret(file, contents, normalized, () =>
    recoveryCode
      ? 'The recovery code is wrong. Enter the 40-digit code shown when the FIDO2 key was made required.'
      : 'The Sealpost passphrase is wrong. Enter the passphrase you chose when you set up Sealpost.',
  );
}

function unsealWithSecret(
  file: string,
  contents: KeystoreFile,
  secret: string,
  wrongSecretMessage: () => string,
): UnlockedKeystore {
  const sealed = Buffer.from(contents.sealedKeys!, 'base64');
  if (sealed.length !== IV_LENGTH + TAG_LENGTH + 2 * KEY_LENGTH) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The sealed keys in ${file} have the wrong length; restore the file from a backup.`,
    );
  }
  const wrappingKey = deriveWrappingKey(secret, contents.kdf!);
  try {
    return openWrappedKeys(
      wrappingKey,
      SEALED_KEYS_AAD,
      contents.sealedKeys!,
      contents.mode,
      (cause) => new CoreError('INVALID_PASSPHRASE', wrongSecretMessage(), { cause }),
    );
  } finally {
    wrappingKey.fill(0);
  }
}

/** Marks a finished migration in `file` by removing its `migratingFrom` field. */
export function finishKeystoreMigration(file: string): void {
  const contents = readKeystoreFile(file);
  delete contents.migratingFrom;
  writeKeystoreFile(file, contents);
}

function unlockFromKeychain(contents: KeystoreFile, keychain: Keychain | null): UnlockedKeystore {
  if (!keychain) {
    throw new CoreError(
      'KEYCHAIN_UNAVAILABLE',
      'The keys of this data folder are in the OS keychain, which is not available to this process. ' +
        'Run Sealpost in your desktop session, where the keychain is unlocked.',
    );
  }
  const kek = readKeychainKey(keychain, entryName(contents.folderId, 'kek'));
  const databaseKey = readKeychainKey(keychain, entryName(contents.folderId, 'database-key'));
  return new UnlockedKeystore('keychain', kek, databaseKey);
}

function readKeychainKey(keychain: Keychain, account: string): Buffer {
  let value: string | null;
  try {
    value = keychain.get(account);
  } catch (error) {
    throw keychainFolderUnreachable(keychain, error);
  }
  if (value === null) {
    // Some keychains read an unreachable store as an empty one; a probe tells them apart.
    const failure = probeKeychain(keychain, `${account}/probe`);
    if (failure) throw keychainFolderUnreachable(keychain, failure);
    throw new CoreError(
      'KEYCHAIN_ENTRY_MISSING',
      `The ${keychain.name} has no entry "${account}", so this data folder cannot be unlocked. ` +
        'Restore the keychain, or restore your keys from a backup into a new, empty data ' +
        'folder: SEALPOST_HOME=NEW_FOLDER sealpost key import --backup FILE.',
    );
  }
  const key = Buffer.from(value, 'base64');
  if (key.length !== KEY_LENGTH) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The keychain entry "${account}" does not contain a 32-byte key.`,
    );
  }
  return key;
}

/** The keychain account name of one key of one data folder. */
export function entryName(folderId: string, key: 'kek' | 'database-key' | 'probe'): string {
  return `${folderId}/${key}`;
}

export function assertPassphraseStrength(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The passphrase has ${passphrase.length} character${passphrase.length === 1 ? '' : 's'}; choose one with at least ${MIN_PASSPHRASE_LENGTH}.`,
    );
  }
}

/**
 * Rewords a keychain failure for a data folder whose keys exist only in the keychain, where no
 * passphrase can stand in. The code (KEYCHAIN_LOCKED or KEYCHAIN_UNAVAILABLE) is kept.
 */
function keychainFolderUnreachable(keychain: Keychain, error: unknown): unknown {
  if (!(error instanceof CoreError)) return error;
  const detail = error.cause instanceof Error ? error.cause.message : error.message;
  return new CoreError(
    error.code,
    `The keys of this data folder are in the ${keychain.name}, which cannot be reached ` +
      `(${detail}). No keychain answers in this session, or it is locked: start and unlock ` +
      'it (on Linux a Secret Service keyring such as gnome-keyring or KeePassXC), then run ' +
      'the command again. --passphrase-file does not open a data folder kept in the keychain.',
    { cause: error },
  );
}
