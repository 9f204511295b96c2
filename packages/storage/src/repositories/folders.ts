// FolderRepository: the `folders` table, one row per IMAP mailbox with its sync state
// (UIDVALIDITY, the highest UID synced, and the CONDSTORE HIGHESTMODSEQ of RFC 7162).
// When the server reports a new UIDVALIDITY, every UID stored for the folder is void
// (RFC 9051 section 2.3.1.1), so resetUidValidity drops the folder's messages.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { requireId, requireInteger, requireText, requireUint32 } from '../validate.ts';

export interface Folder {
  id: number;
  accountId: number;
  /** Full mailbox name as the server lists it, e.g. "INBOX" or "Archive/2024". */
  path: string;
  /** RFC 6154 special-use attribute such as "\\Sent", or null. */
  specialUse: string | null;
  /** Null until the folder was first selected. */
  uidValidity: number | null;
  /** Highest UID synced so far; 0 when nothing was synced under the current UIDVALIDITY. */
  lastUid: number;
  highestModseq: bigint | null;
}

export interface FolderSyncState {
  lastUid: number;
  highestModseq?: bigint | null;
}

interface FolderRow {
  id: number;
  account_id: number;
  path: string;
  special_use: string | null;
  uid_validity: number | null;
  last_uid: number;
  /** Read as text because a mod-sequence can exceed Number.MAX_SAFE_INTEGER. */
  highest_modseq: string | null;
}

// RFC 7162 section 3.1.1: a mod-sequence is a positive integer below 2^63.
const MAX_MODSEQ = 2n ** 63n - 1n;

const FOLDER_COLUMNS =
  'id, account_id, path, special_use, uid_validity, last_uid, CAST(highest_modseq AS TEXT) AS highest_modseq';

export class FolderRepository {
  constructor(private readonly connection: Connection) {}

  /**
   * Inserts the folder, or updates its special-use attribute when (accountId, path) exists.
   * The sync state of an existing folder is kept. Throws ACCOUNT_NOT_FOUND for an unknown account.
   */
  upsert(folder: { accountId: number; path: string; specialUse?: string | null }): Folder {
    const accountId = requireId(folder.accountId, 'folder.accountId');
    const path = requireText(folder.path, 'folder.path');
    const specialUse = folder.specialUse ?? null;
    if (specialUse !== null && !/^\\[A-Za-z]+$/.test(specialUse)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `folder.specialUse: expected an attribute such as "\\Sent", got ${JSON.stringify(specialUse)}.`,
      );
    }

    return this.connection.write(`save folder ${path} of account ${accountId}`, (db) => {
      const account = db.prepare('SELECT 1 FROM accounts WHERE id = ?').get(accountId);
      if (!account) {
        throw new StorageError(
          'ACCOUNT_NOT_FOUND',
          `Account ${accountId} not found for folder ${path}. Add the account before syncing its folders.`,
        );
      }
      db.prepare(
        `INSERT INTO folders (account_id, path, special_use) VALUES (?, ?, ?)
         ON CONFLICT (account_id, path) DO UPDATE SET special_use = excluded.special_use`,
      ).run(accountId, path, specialUse);
      return toFolder(
        db
          .prepare(`SELECT ${FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND path = ?`)
          .get(accountId, path) as FolderRow,
      );
    });
  }

  get(id: number): Folder | null {
    requireId(id, 'id');
    const row = this.connection.read(`get folder ${id}`, (db) => selectFolder(db, id));
    return row ? toFolder(row) : null;
  }

  getByPath(accountId: number, path: string): Folder | null {
    requireId(accountId, 'accountId');
    const row = this.connection.read(`get folder ${path} of account ${accountId}`, (db) =>
      db
        .prepare(`SELECT ${FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND path = ?`)
        .get(accountId, path),
    ) as FolderRow | undefined;
    return row ? toFolder(row) : null;
  }

  listByAccount(accountId: number): Folder[] {
    requireId(accountId, 'accountId');
    const rows = this.connection.read(`list folders of account ${accountId}`, (db) =>
      db
        .prepare(`SELECT ${FOLDER_COLUMNS} FROM folders WHERE account_id = ? ORDER BY path`)
        .all(accountId),
    ) as FolderRow[];
    return rows.map(toFolder);
  }

  /** Records sync progress under the current UIDVALIDITY, after the messages were stored. */
  updateSyncState(folderId: number, state: FolderSyncState): Folder {
    requireId(folderId, 'folderId');
    const lastUid = requireInteger(state.lastUid, 0, 0xffff_ffff, 'state.lastUid');
    const highestModseq = state.highestModseq ?? null;
    if (
      highestModseq !== null &&
      (typeof highestModseq !== 'bigint' || highestModseq < 0n || highestModseq > MAX_MODSEQ)
    ) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `state.highestModseq: expected a bigint from 0 to 2^63-1, got ${String(highestModseq)}.`,
      );
    }

    return this.connection.write(`update sync state of folder ${folderId}`, (db) => {
      const folder = requireFolder(db, folderId);
      if (folder.uid_validity === null) {
        throw new StorageError(
          'INVALID_STATE',
          `Folder ${folderId} (${folder.path}) has no UIDVALIDITY yet. Call resetUidValidity with the server's value first.`,
        );
      }
      db.prepare('UPDATE folders SET last_uid = ?, highest_modseq = ? WHERE id = ?').run(
        lastUid,
        highestModseq,
        folderId,
      );
      return toFolder(requireFolder(db, folderId));
    });
  }

  /**
   * Sets a new UIDVALIDITY for the folder. In one transaction it deletes all messages stored
   * for the folder, sets lastUid to 0 and clears highestModseq, so the next sync fetches the
   * folder again. Returns the number of messages deleted.
   */
  resetUidValidity(folderId: number, uidValidity: number): number {
    requireId(folderId, 'folderId');
    requireUint32(uidValidity, 'uidValidity');

    return this.connection.write(`reset UIDVALIDITY of folder ${folderId}`, (db) => {
      requireFolder(db, folderId);
      const deleted = db.prepare('DELETE FROM messages WHERE folder_id = ?').run(folderId).changes;
      db.prepare(
        'UPDATE folders SET uid_validity = ?, last_uid = 0, highest_modseq = NULL WHERE id = ?',
      ).run(uidValidity, folderId);
      return deleted;
    });
  }
}

function selectFolder(db: SqliteDatabase, id: number): FolderRow | undefined {
  return db.prepare(`SELECT ${FOLDER_COLUMNS} FROM folders WHERE id = ?`).get(id) as
    FolderRow | undefined;
}

function requireFolder(db: SqliteDatabase, id: number): FolderRow {
  const row = selectFolder(db, id);
  if (!row) {
    throw new StorageError(
      'FOLDER_NOT_FOUND',
      `Folder ${id} not found. List the account's folders to get a current id.`,
    );
  }
  return row;
}

function toFolder(row: FolderRow): Folder {
  return {
    id: row.id,
    accountId: row.account_id,
    path: row.path,
    specialUse: row.special_use,
    uidValidity: row.uid_validity,
    lastUid: row.last_uid,
    highestModseq: row.highest_modseq === null ? null : BigInt(row.highest_modseq),
  };
}
