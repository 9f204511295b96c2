// Migration: one numbered, forward-only schema change. `up` runs inside the transaction that
// also records `version` in PRAGMA user_version, so a migration is applied whole or not at all.

import type { SqliteDatabase } from '../connection.ts';

export interface Migration {
  /** Consecutive from 1; the file name starts with the same number (0001-initial.ts). */
  readonly version: number;
  readonly name: string;
  /**
   * Runs `up` with foreign key enforcement off, as a table rebuild needs; PRAGMA
   * foreign_key_check must then report no violation before the transaction commits.
   */
  readonly foreignKeysOff?: boolean;
  up(db: SqliteDatabase): void;
}
