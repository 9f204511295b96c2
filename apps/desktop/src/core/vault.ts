// The vault: an AES-256-GCM key that seals account passwords. It is derived from the
// key-encryption key of the keystore (Vault.fromKey). Data folders made before the keystore
// have a scrypt-stretched passphrase vault file instead (Vault.create/unlock), which the
// keystore migrates on first unlock. NOTE: JavaScript cannot guarantee that copies of the key
// made by the runtime are erased; `lock()` zero-fills the buffer Sealpost owns.

import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { CoreError } from './errors.ts';

// scrypt cost: N = 2^17, r = 8 uses 128 MiB and about half a second on a desktop core,
// the interactive-login setting recommended by the scrypt paper's author.
const SCRYPT_PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const SCRYPT_MAXMEM = 256 * 1024 * 1024;
const KEY_LENGTH = 32;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const SEALED_FORMAT_VERSION = 1;
const CHECK_PURPOSE = 'vault-check';
const CHECK_VALUE = Buffer.from('sealpost vault v1');

interface VaultFile {
  version: 1;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  check: string;
}

export class Vault {
  #key: Buffer | null;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Wraps a 32-byte key that the caller derived; the vault owns and later wipes it. */
  static fromKey(key: Buffer): Vault {
    if (key.length !== KEY_LENGTH) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `A vault key has ${KEY_LENGTH} bytes, got ${key.length}.`,
      );
    }
    return new Vault(key);
  }

  static exists(file: string): boolean {
    return existsSync(file);
  }

  /** Creates a new vault file for `passphrase`; fails if one already exists. */
  static create(file: string, passphrase: string): Vault {
    if (existsSync(file)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `A vault already exists at ${file}; unlock it instead.`,
      );
    }
    assertPassphraseStrength(passphrase);

    const salt = randomBytes(16);
    const vault = new Vault(deriveKey(passphrase, { ...SCRYPT_PARAMS, salt }));
    const contents: VaultFile = {
      version: 1,
      kdf: { name: 'scrypt', ...SCRYPT_PARAMS, salt: salt.toString('base64') },
      check: vault.seal(CHECK_VALUE, CHECK_PURPOSE).toString('base64'),
    };

    // Write then rename, so a crash never leaves a half-written vault file.
    writeFileSync(`${file}.tmp`, JSON.stringify(contents, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return vault;
  }

  /** Opens the vault file with `passphrase`; a wrong passphrase raises INVALID_PASSPHRASE. */
  static unlock(file: string, passphrase: string): Vault {
    const contents = readVaultFile(file);
    const salt = Buffer.from(contents.kdf.salt, 'base64');
    const vault = new Vault(deriveKey(passphrase, { ...contents.kdf, salt }));

    let check: Buffer;
    try {
      check = vault.unseal(Buffer.from(contents.check, 'base64'), CHECK_PURPOSE);
    } catch {
      vault.lock();
      throw new CoreError(
        'INVALID_PASSPHRASE',
        'The Sealpost passphrase is wrong. Enter the passphrase you chose when you first set up Sealpost.',
      );
    }
    if (check.length !== CHECK_VALUE.length || !timingSafeEqual(check, CHECK_VALUE)) {
      vault.lock();
      throw new CoreError(
        'VAULT_CORRUPT',
        `The vault file ${file} is damaged; restore it from a backup.`,
      );
    }
    return vault;
  }

  /** Seals `data` with AES-256-GCM; `purpose` is bound as associated data. */
  seal(data: Uint8Array, purpose: string): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', this.#requireKey(), iv);
    cipher.setAAD(Buffer.from(purpose));
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    return Buffer.concat([Buffer.of(SEALED_FORMAT_VERSION), iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Opens data sealed by `seal` for the same `purpose`; raises VAULT_CORRUPT if it was altered. */
  unseal(sealed: Uint8Array, purpose: string): Buffer {
    const bytes = Buffer.from(sealed);
    if (bytes.length < 1 + IV_LENGTH + TAG_LENGTH || bytes[0] !== SEALED_FORMAT_VERSION) {
      throw new CoreError('VAULT_CORRUPT', `Sealed ${purpose} data has an unknown format.`);
    }
    const iv = bytes.subarray(1, 1 + IV_LENGTH);
    const tag = bytes.subarray(1 + IV_LENGTH, 1 + IV_LENGTH + TAG_LENGTH);
    const decipher = createDecipheriv('aes-256-gcm', this.#requireKey(), iv);
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(1 + IV_LENGTH + TAG_LENGTH)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new CoreError('VAULT_CORRUPT', `Sealed ${purpose} data failed its integrity check.`, {
        cause: error,
      });
    }
  }

  /** Zero-fills the derived key; the vault cannot be used afterwards. */
  lock(): void {
    this.#key?.fill(0);
    this.#key = null;
  }

  #requireKey(): Buffer {
    if (!this.#key) throw new CoreError('PASSPHRASE_REQUIRED', 'The vault is locked.');
    return this.#key;
  }
}

function deriveKey(
  passphrase: string,
  kdf: { N: number; r: number; p: number; salt: Buffer },
): Buffer {
  return scryptSync(passphrase.normalize('NFC'), kdf.salt, KEY_LENGTH, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: SCRYPT_MAXMEM,
  });
}

function readVaultFile(file: string): VaultFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CoreError(
      'VAULT_CORRUPT',
      `The vault file ${file} cannot be read; restore it from a backup.`,
      {
        cause: error,
      },
    );
  }
  const contents = parsed as Partial<VaultFile>;
  if (
    contents.version !== 1 ||
    contents.kdf?.name !== 'scrypt' ||
    typeof contents.check !== 'string'
  ) {
    throw new CoreError('VAULT_CORRUPT', `The vault file ${file} has an unknown format.`);
  }
  return contents as VaultFile;
}

const MIN_PASSPHRASE_LENGTH = 8;

function assertPassphraseStrength(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The passphrase has ${passphrase.length} character${passphrase.length === 1 ? '' : 's'}; choose one with at least ${MIN_PASSPHRASE_LENGTH}.`,
    );
  }
}
