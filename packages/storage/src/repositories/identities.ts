// IdentityRepository: the `identities` table, one OpenPGP key per own address. The secret key
// is stored as the armored, passphrase-protected text the caller hands over. Storage checks
// only the armor header, so the caller must guarantee that the key is protected.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError, isUniqueViolation } from '../errors.ts';
import { normalizeAddress, normalizeFingerprint, requireArmored, requireId } from '../validate.ts';

export const PUBLIC_KEY_HEADER = '-----BEGIN PGP PUBLIC KEY BLOCK-----';
export const PRIVATE_KEY_HEADER = '-----BEGIN PGP PRIVATE KEY BLOCK-----';
export const SIGNATURE_HEADER = '-----BEGIN PGP SIGNATURE-----';

export interface NewIdentity {
  /** The account that sends as this address, or null for an address without an account yet. */
  accountId: number | null;
  address: string;
  fingerprint: string;
  /** Armored public certificate (transferable public key). */
  certificate: string;
  /** Armored transferable secret key, already protected by a passphrase or key-encryption key. */
  secretKey: string;
  /** Armored revocation certificate made when the key was generated; null for an imported key. */
  revocationCertificate: string | null;
  createdAt?: Date;
}

export interface Identity {
  id: number;
  accountId: number | null;
  /** Lowercased. */
  address: string;
  /** Uppercase hex without spaces. */
  fingerprint: string;
  certificate: string;
  secretKey: string;
  revocationCertificate: string | null;
  createdAt: Date;
}

interface IdentityRow {
  id: number;
  account_id: number | null;
  address: string;
  fingerprint: string;
  certificate: string;
  secret_key: string;
  revocation_certificate: string | null;
  created_at: number;
}

export class IdentityRepository {
  constructor(private readonly connection: Connection) {}

  /** Inserts an identity. Throws IDENTITY_EXISTS when the address or fingerprint is taken. */
  insert(identity: NewIdentity): Identity {
    const address = normalizeAddress(identity.address, 'identity.address');
    const fingerprint = normalizeFingerprint(identity.fingerprint, 'identity.fingerprint');
    const accountId =
      identity.accountId === null ? null : requireId(identity.accountId, 'identity.accountId');
    const certificate = requireArmored(
      identity.certificate,
      [PUBLIC_KEY_HEADER],
      'identity.certificate',
    );
    const secretKey = requireArmored(
      identity.secretKey,
      [PRIVATE_KEY_HEADER],
      'identity.secretKey',
    );
    const revocationCertificate =
      identity.revocationCertificate === null
        ? null
        : requireArmored(
            identity.revocationCertificate,
            [PUBLIC_KEY_HEADER, SIGNATURE_HEADER],
            'identity.revocationCertificate',
          );
    const createdAt = toMillis(identity.createdAt ?? new Date(), 'identity.createdAt');

    let id: number;
    try {
      id = this.connection.write(`insert identity ${address}`, (db) => {
        const result = db
          .prepare(
            `INSERT INTO identities (account_id, address, fingerprint, certificate, secret_key,
               revocation_certificate, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            accountId,
            address,
            fingerprint,
            certificate,
            secretKey,
            revocationCertificate,
            createdAt,
          );
        return Number(result.lastInsertRowid);
      });
    } catch (error) {
      throw translateInsertError(error, address, fingerprint, accountId);
    }

    const inserted = this.getByFingerprint(fingerprint);
    if (!inserted || inserted.id !== id) {
      throw new StorageError('STORAGE_FAILED', `Identity ${address} vanished right after insert.`);
    }
    return inserted;
  }

  /**
   * Replaces the key of `address` with a new one in place, for an identity whose key was
   * revoked. The caller keeps the old secret key if old mail must stay readable.
   */
  replaceKey(
    address: string,
    key: Pick<NewIdentity, 'fingerprint' | 'certificate' | 'secretKey' | 'revocationCertificate'>,
  ): Identity {
    const normalized = normalizeAddress(address, 'address');
    const fingerprint = normalizeFingerprint(key.fingerprint, 'key.fingerprint');
    const certificate = requireArmored(key.certificate, [PUBLIC_KEY_HEADER], 'key.certificate');
    const secretKey = requireArmored(key.secretKey, [PRIVATE_KEY_HEADER], 'key.secretKey');
    const revocationCertificate =
      key.revocationCertificate === null
        ? null
        : requireArmored(
            key.revocationCertificate,
            [PUBLIC_KEY_HEADER, SIGNATURE_HEADER],
            'key.revocationCertificate',
          );
    const changes = this.connection.write(`replace key of identity ${normalized}`, (db) =>
      db
        .prepare(
          `UPDATE identities SET fingerprint = ?, certificate = ?, secret_key = ?,
             revocation_certificate = ?, created_at = ? WHERE address = ?`,
        )
        .run(fingerprint, certificate, secretKey, revocationCertificate, Date.now(), normalized),
    ).changes;
    if (changes !== 1) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `No identity for ${normalized} to replace the key of. Generate a key for it instead.`,
      );
    }
    return this.getByAddress(normalized)!;
  }

  getByAddress(address: string): Identity | null {
    const normalized = normalizeAddress(address, 'address');
    const row = this.connection.read(`get identity ${normalized}`, (db) =>
      db.prepare('SELECT * FROM identities WHERE address = ?').get(normalized),
    ) as IdentityRow | undefined;
    return row ? toIdentity(row) : null;
  }

  getByFingerprint(fingerprint: string): Identity | null {
    const normalized = normalizeFingerprint(fingerprint, 'fingerprint');
    const row = this.connection.read(`get identity ${normalized}`, (db) =>
      db.prepare('SELECT * FROM identities WHERE fingerprint = ?').get(normalized),
    ) as IdentityRow | undefined;
    return row ? toIdentity(row) : null;
  }

  list(): Identity[] {
    const rows = this.connection.read('list identities', (db) =>
      db.prepare('SELECT * FROM identities ORDER BY id').all(),
    ) as IdentityRow[];
    return rows.map(toIdentity);
  }
}

function translateInsertError(
  error: unknown,
  address: string,
  fingerprint: string,
  accountId: number | null,
): unknown {
  if (!(error instanceof StorageError)) return error;

  if (isUniqueViolation(error.cause, 'identities.address')) {
    return new StorageError(
      'IDENTITY_EXISTS',
      `An identity for ${address} already exists. Use it, or remove it before creating a new key.`,
      { cause: error.cause },
    );
  }
  if (isUniqueViolation(error.cause, 'identities.fingerprint')) {
    return new StorageError(
      'IDENTITY_EXISTS',
      `The key ${fingerprint} is already the identity of another address. Generate a separate key for ${address}.`,
      { cause: error.cause },
    );
  }
  if ((error.cause as { code?: string } | undefined)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new StorageError(
      'ACCOUNT_NOT_FOUND',
      `Account ${String(accountId)} not found for identity ${address}. Add the account first or pass accountId null.`,
      { cause: error.cause },
    );
  }
  return error;
}

function toIdentity(row: IdentityRow): Identity {
  return {
    id: row.id,
    accountId: row.account_id,
    address: row.address,
    fingerprint: row.fingerprint,
    certificate: row.certificate,
    secretKey: row.secret_key,
    revocationCertificate: row.revocation_certificate,
    createdAt: fromMillis(row.created_at),
  };
}
