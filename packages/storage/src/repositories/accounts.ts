// AccountRepository: the `accounts` table, one row per mailbox with its IMAP and SMTP settings.
// The password arrives already sealed by the caller with a keychain-held key, so storage only
// stores and returns the sealed bytes.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError, isUniqueViolation } from '../errors.ts';
import {
  normalizeAddress,
  requireArmored,
  requireBytes,
  requireId,
  requireInteger,
  requireOneOf,
  requireText,
} from '../validate.ts';

export type TlsSecurity = 'starttls' | 'tls';
export const TLS_SECURITY_VALUES: readonly TlsSecurity[] = ['starttls', 'tls'];

export interface ServerSettings {
  host: string;
  port: number;
  security: TlsSecurity;
  user: string;
}

export interface NewAccount {
  email: string;
  displayName: string | null;
  imap: ServerSettings;
  smtp: ServerSettings;
  /** PEM of a server certificate the user chose to trust (IMAP and SMTP), or null for the CA store. */
  pinnedCertificate: string | null;
  /** The account password, sealed by the caller; storage never receives the clear password. */
  sealedPassword: Uint8Array;
  createdAt?: Date;
}

export interface Account {
  id: number;
  /** Lowercased. */
  email: string;
  displayName: string | null;
  imap: ServerSettings;
  smtp: ServerSettings;
  pinnedCertificate: string | null;
  sealedPassword: Buffer;
  createdAt: Date;
}

interface AccountRow {
  id: number;
  email: string;
  display_name: string | null;
  imap_host: string;
  imap_port: number;
  imap_security: TlsSecurity;
  imap_user: string;
  smtp_host: string;
  smtp_port: number;
  smtp_security: TlsSecurity;
  smtp_user: string;
  pinned_certificate: string | null;
  sealed_password: Buffer;
  created_at: number;
}

const X509_HEADER = '-----BEGIN CERTIFICATE-----';

export class AccountRepository {
  constructor(private readonly connection: Connection) {}

  /** Inserts an account. Throws ACCOUNT_EXISTS when the email address already has one. */
  insert(account: NewAccount): Account {
    const email = normalizeAddress(account.email, 'account.email');
    const imap = checkServer(account.imap, 'account.imap');
    const smtp = checkServer(account.smtp, 'account.smtp');
    const sealedPassword = requireBytes(account.sealedPassword, 'account.sealedPassword');
    const createdAt = toMillis(account.createdAt ?? new Date(), 'account.createdAt');
    const displayName = account.displayName ?? null;
    if (displayName !== null && typeof displayName !== 'string') {
      throw new StorageError('INVALID_ARGUMENT', 'account.displayName: expected text or null.');
    }
    const pinnedCertificate =
      account.pinnedCertificate == null
        ? null
        : requireArmored(account.pinnedCertificate, [X509_HEADER], 'account.pinnedCertificate');

    try {
      const id = this.connection.write(`insert account ${email}`, (db) => {
        const result = db
          .prepare(
            `INSERT INTO accounts (email, display_name,
               imap_host, imap_port, imap_security, imap_user,
               smtp_host, smtp_port, smtp_security, smtp_user,
               pinned_certificate, sealed_password, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            email,
            displayName,
            imap.host,
            imap.port,
            imap.security,
            imap.user,
            smtp.host,
            smtp.port,
            smtp.security,
            smtp.user,
            pinnedCertificate,
            sealedPassword,
            createdAt,
          );
        return Number(result.lastInsertRowid);
      });
      return this.getRequired(id);
    } catch (error) {
      if (error instanceof StorageError && isUniqueViolation(error.cause, 'accounts.email')) {
        throw new StorageError(
          'ACCOUNT_EXISTS',
          `An account for ${email} already exists. Open that account or remove it before adding it again.`,
          { cause: error.cause },
        );
      }
      throw error;
    }
  }

  getById(id: number): Account | null {
    requireId(id, 'id');
    const row = this.connection.read(`get account ${id}`, (db) =>
      db.prepare('SELECT * FROM accounts WHERE id = ?').get(id),
    ) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  getByEmail(email: string): Account | null {
    const normalized = normalizeAddress(email, 'email');
    const row = this.connection.read(`get account ${normalized}`, (db) =>
      db.prepare('SELECT * FROM accounts WHERE email = ?').get(normalized),
    ) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  list(): Account[] {
    const rows = this.connection.read('list accounts', (db) =>
      db.prepare('SELECT * FROM accounts ORDER BY id').all(),
    ) as AccountRow[];
    return rows.map(toAccount);
  }

  /**
   * Removes an account with its folders, messages and outbox entries (ON DELETE CASCADE).
   * Identities stay, unlinked from the account, because their secret keys may still be needed.
   */
  remove(id: number): void {
    requireId(id, 'id');
    const changes = this.connection.write(`remove account ${id}`, (db) => {
      return db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes;
    });
    if (changes === 0) throw notFound(id);
  }

  /** Replaces the sealed password, e.g. after the user changed it at the provider. */
  updateSealedPassword(id: number, sealedPassword: Uint8Array): void {
    requireId(id, 'id');
    requireBytes(sealedPassword, 'sealedPassword');
    const changes = this.connection.write(`update password of account ${id}`, (db) => {
      return db
        .prepare('UPDATE accounts SET sealed_password = ? WHERE id = ?')
        .run(sealedPassword, id).changes;
    });
    if (changes === 0) throw notFound(id);
  }

  private getRequired(id: number): Account {
    const account = this.getById(id);
    if (!account) throw notFound(id);
    return account;
  }
}

function notFound(id: number): StorageError {
  return new StorageError(
    'ACCOUNT_NOT_FOUND',
    `Account ${id} not found. List the accounts to get a current id.`,
  );
}

function checkServer(settings: ServerSettings, field: string): ServerSettings {
  if (typeof settings !== 'object' || settings === null) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${field}: expected server settings, got ${String(settings)}.`,
    );
  }
  return {
    host: requireText(settings.host, `${field}.host`),
    port: requireInteger(settings.port, 1, 65535, `${field}.port`),
    security: requireOneOf(settings.security, TLS_SECURITY_VALUES, `${field}.security`),
    user: requireText(settings.user, `${field}.user`),
  };
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    imap: {
      host: row.imap_host,
      port: row.imap_port,
      security: row.imap_security,
      user: row.imap_user,
    },
    smtp: {
      host: row.smtp_host,
      port: row.smtp_port,
      security: row.smtp_security,
      user: row.smtp_user,
    },
    pinnedCertificate: row.pinned_certificate,
    sealedPassword: row.sealed_password,
    createdAt: fromMillis(row.created_at),
  };
}
