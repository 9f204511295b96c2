// Encryption of the whole database file with SQLite3 Multiple Ciphers in its SQLCipher 4
// scheme (AES-256-CBC pages with HMAC-SHA512, the format SQLCipher 4 reads), keyed with a raw
// 256-bit key, so the key-derivation step of SQLCipher is skipped. The WAL and the rollback
// journal are encrypted with the same key. NOTE: page headers and the file size stay visible.

import type BetterSqlite3 from 'better-sqlite3';

import { StorageError } from './errors.ts';

export const DATABASE_KEY_LENGTH = 32;

type SqliteDatabase = BetterSqlite3.Database;

/** Checks that `key` is a 32-byte key and returns it as the hex text a PRAGMA takes. */
function keyLiteral(key: Uint8Array, field: string): string {
  if (!(key instanceof Uint8Array) || key.length !== DATABASE_KEY_LENGTH) {
    throw new StorageError(
      'INVALID_ARGUMENT',
      `${field}: expected ${DATABASE_KEY_LENGTH} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}.`,
    );
  }
  // A raw key is written x'<64 hex digits>' inside the PRAGMA's double quotes.
  return `"x'${Buffer.from(key).toString('hex')}'"`;
}

function selectCipher(db: SqliteDatabase): void {
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
}

/**
 * Sets the key of a freshly opened connection and reads the schema once, so a wrong key or
 * a file that is not encrypted fails here with DATABASE_KEY_INVALID and not at a later query.
 */
export function applyDatabaseKey(db: SqliteDatabase, key: Uint8Array, path: string): void {
  const literal = keyLiteral(key, 'options.encryptionKey');
  selectCipher(db);
  db.pragma(`key = ${literal}`);
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') {
      throw new StorageError(
        'DATABASE_KEY_INVALID',
        `The database ${path} cannot be read with the given key: the key is wrong, or the file is ` +
          'not encrypted yet. Unlock Sealpost with the keychain or passphrase that created it.',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Encrypts a plaintext database file in place with `key` (PRAGMA rekey). SQLite3 Multiple
 * Ciphers cannot rekey in WAL mode, so the journal is switched to DELETE for the rekey; the
 * caller opens the file again afterwards, which turns WAL back on.
 */
export function encryptDatabaseInPlace(db: SqliteDatabase, key: Uint8Array, path: string): void {
  const literal = keyLiteral(key, 'key');
  const journalMode = db.pragma('journal_mode = DELETE', { simple: true });
  if (journalMode !== 'delete') {
    throw new StorageError(
      'DATABASE_OPEN_FAILED',
      `Cannot leave WAL mode on ${path} to encrypt it (journal mode is "${String(journalMode)}"). ` +
        'Close other Sealpost processes that use it, then retry.',
    );
  }
  selectCipher(db);
  db.pragma(`rekey = ${literal}`);
}
