// Recovery-code backups of every own secret key. The file is a password-encrypted OpenPGP
// message (SKESK v4 with iterated S2K, SEIPDv1) whose literal data is the armored secret keys
// without their own passphrase, so "gpg --decrypt FILE | gpg --import" restores them in GnuPG.
// Its only protection is the 40-digit recovery code (about 132 bits), shown once to the user.

import { randomInt } from 'node:crypto';
import type { Store } from '@sealpost/storage';
import {
  CryptoError,
  decryptWithPassword,
  encryptWithPassword,
  exportUnprotectedSecretKey,
  protectSecretKey,
  readCertificate,
  unlockSecretKey,
} from '@sealpost/crypto-core';
import type { CertificateInfo } from '@sealpost/crypto-core';
import { CoreError } from './errors.ts';

/** Decimal digits in a recovery code: 10^40 > 2^132, above the 128-bit floor. */
export const RECOVERY_CODE_DIGITS = 40;
const GROUP_SIZE = 4;
const PRIVATE_KEY_BEGIN = '-----BEGIN PGP PRIVATE KEY BLOCK-----';
const PRIVATE_KEY_END = '-----END PGP PRIVATE KEY BLOCK-----';

export interface BackupIdentity {
  address: string;
  fingerprint: string;
}

export interface CreatedBackup {
  /** Armored password-encrypted message, to write to the backup file. */
  armored: string;
  /** The code as four-digit groups joined by "-", which is the exact passphrase GnuPG needs. */
  recoveryCode: string;
  identities: BackupIdentity[];
}

export interface RestoredIdentity extends BackupIdentity {
  outcome: 'restored' | 'already-present';
}

/** Generates a recovery code of uniformly random digits from Node's CSPRNG. */
export function generateRecoveryCode(): string {
  let digits = '';
  for (let index = 0; index < RECOVERY_CODE_DIGITS; index += 1) digits += String(randomInt(10));
  return formatRecoveryCode(digits);
}

/**
 * Returns the canonical form of a typed recovery code: spaces and dashes may be anywhere, but
 * exactly 40 digits must remain. Raises RECOVERY_CODE_INVALID otherwise.
 */
export function normalizeRecoveryCode(input: string): string {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits) || digits.length !== RECOVERY_CODE_DIGITS) {
    throw new CoreError(
      'RECOVERY_CODE_INVALID',
      `The recovery code must be ${RECOVERY_CODE_DIGITS} digits (groups may be separated by spaces or dashes); got ${digits.length} characters${/^\d*$/.test(digits) ? '' : ' including non-digits'}. Check it against the code written down at export.`,
    );
  }
  return formatRecoveryCode(digits);
}

function formatRecoveryCode(digits: string): string {
  const groups: string[] = [];
  for (let start = 0; start < digits.length; start += GROUP_SIZE) {
    groups.push(digits.slice(start, start + GROUP_SIZE));
  }
  return groups.join('-');
}

/** Encrypts every identity's secret key, unlocked with `passphrase`, under a new recovery code. */
export async function createBackup(store: Store, passphrase: string): Promise<CreatedBackup> {
  const identities = store.identities.list();
  if (identities.length === 0) {
    throw new CoreError(
      'IDENTITY_NOT_FOUND',
      'There is no key to back up; create one with "sealpost key generate".',
    );
  }

  const blocks: string[] = [];
  for (const identity of identities) {
    const key = await unlockSecretKey(identity.secretKey, passphrase);
    try {
      blocks.push(exportUnprotectedSecretKey(key));
    } finally {
      key.clear();
    }
  }

  const recoveryCode = generateRecoveryCode();
  const payload = new TextEncoder().encode(blocks.join('\n'));
  try {
    const armored = await encryptWithPassword(payload, recoveryCode);
    return {
      armored,
      recoveryCode,
      identities: identities.map(({ address, fingerprint }) => ({ address, fingerprint })),
    };
  } finally {
    payload.fill(0);
  }
}

export interface RestoreOptions {
  /** The address the caller restores for; the backup must contain a key for it. */
  expectedAddress?: string;
}

/**
 * Decrypts a backup with its recovery code and stores its keys, protected with `passphrase`.
 * Every key is checked before the first is stored, and all are stored in one transaction, so
 * a wrong code, a corrupt file, a conflicting key or a backup without a key for
 * `options.expectedAddress` (BACKUP_ADDRESS_MISMATCH) leaves the store unchanged.
 */
export async function restoreBackup(
  store: Store,
  passphrase: string,
  data: Uint8Array,
  recoveryCodeInput: string,
  options: RestoreOptions = {},
): Promise<RestoredIdentity[]> {
  const recoveryCode = normalizeRecoveryCode(recoveryCodeInput);
  const payload = await decryptBackup(data, recoveryCode);
  let blocks: string[];
  try {
    blocks = splitSecretKeyBlocks(new TextDecoder().decode(payload));
  } finally {
    payload.fill(0);
  }

  const prepared: {
    address: string;
    certificate: CertificateInfo;
    secretKey: string;
    present: boolean;
  }[] = [];
  for (const block of blocks) {
    let secretKey: string;
    let certificate: CertificateInfo;
    try {
      secretKey = await protectSecretKey(block, passphrase);
      certificate = await readCertificate(secretKey);
    } catch (error) {
      throw new CoreError(
        'BACKUP_CORRUPT',
        `The backup decrypted, but one of its keys is unreadable (${(error as Error).message}); use another copy of the backup.`,
        { cause: error },
      );
    }
    const address = certificate.addresses[0];
    if (!address) {
      throw new CoreError(
        'BACKUP_CORRUPT',
        `Key ${certificate.fingerprint} in the backup has no User ID with an e-mail address.`,
      );
    }
    const present = store.identities.getByAddress(address);
    if (present && present.fingerprint !== certificate.fingerprint) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `${address} already has the key ${present.fingerprint}, and the backup holds ${certificate.fingerprint}; Sealpost keeps one key per address, so restore into a new data folder (SEALPOST_HOME).`,
      );
    }
    prepared.push({ address, certificate, secretKey, present: present !== null });
  }

  if (options.expectedAddress !== undefined) {
    checkExpectedAddress(
      options.expectedAddress,
      prepared.map((entry) => entry.address),
    );
  }

  store.transaction('restore backup', () => {
    for (const entry of prepared) {
      if (entry.present) continue;
      store.identities.insert({
        address: entry.address,
        fingerprint: entry.certificate.fingerprint,
        certificate: entry.certificate.armored,
        secretKey: entry.secretKey,
        revocationCertificate: null,
        accountId: store.accounts.getByEmail(entry.address)?.id ?? null,
      });
    }
  });
  return prepared.map((entry) => ({
    address: entry.address,
    fingerprint: entry.certificate.fingerprint,
    outcome: entry.present ? 'already-present' : 'restored',
  }));
}

/**
 * Decrypts a backup with its recovery code and checks that it contains secret keys, without a
 * store, so a caller can reject a wrong code (RECOVERY_CODE_INVALID) or a damaged file
 * (BACKUP_CORRUPT) before it creates a data folder. Wipes the decrypted keys.
 */
export async function checkBackup(data: Uint8Array, recoveryCodeInput: string): Promise<void> {
  const payload = await decryptBackup(data, normalizeRecoveryCode(recoveryCodeInput));
  try {
    splitSecretKeyBlocks(new TextDecoder().decode(payload));
  } finally {
    payload.fill(0);
  }
}

/** Raises BACKUP_ADDRESS_MISMATCH unless `addresses` contains `expected`, ignoring case. */
function checkExpectedAddress(expected: string, addresses: string[]): void {
  const normalized = expected.trim().toLowerCase();
  if (addresses.some((address) => address.toLowerCase() === normalized)) return;
  throw new CoreError(
    'BACKUP_ADDRESS_MISMATCH',
    `The backup contains keys for ${addresses.join(', ')}, not for ${expected}; nothing was restored. Choose the backup made for ${expected}, or create or import a key for it.`,
  );
}

async function decryptBackup(data: Uint8Array, recoveryCode: string): Promise<Uint8Array> {
  try {
    return await decryptWithPassword(data, recoveryCode);
  } catch (error) {
    if (error instanceof CryptoError && error.code === 'INVALID_PASSPHRASE') {
      throw new CoreError(
        'RECOVERY_CODE_INVALID',
        'The recovery code does not decrypt this backup, or the file was altered; check each group of digits against the code written down at export.',
        { cause: error },
      );
    }
    throw new CoreError(
      'BACKUP_CORRUPT',
      `The file is not a readable Sealpost backup (${(error as Error).message}); use another copy of the backup.`,
      { cause: error },
    );
  }
}

/** Splits the decrypted payload into its armored secret key blocks. */
function splitSecretKeyBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = text.indexOf(PRIVATE_KEY_BEGIN);
  while (start !== -1) {
    const end = text.indexOf(PRIVATE_KEY_END, start);
    if (end === -1) break;
    blocks.push(text.slice(start, end + PRIVATE_KEY_END.length) + '\n');
    start = text.indexOf(PRIVATE_KEY_BEGIN, end);
  }
  if (blocks.length === 0) {
    throw new CoreError(
      'BACKUP_CORRUPT',
      'The backup decrypted but contains no secret key; it was not made by "sealpost key export --backup".',
    );
  }
  return blocks;
}
