// RatchetKeyRepository: the `ratchet_keys` table (migration 4). It stores each local address's
// identity DH key and its prekey secrets with their signed bundles, and deletes prekeys whose
// grace period ended (the caller decides which, with crypto-core's planPrekeyRotation).
// The secret bytes are opaque here; crypto-core encodes and decodes them.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { normalizeAddress, requireBytes, requireInteger } from '../validate.ts';

export interface StoredPrekey {
  prekeyId: number;
  secret: Uint8Array;
  /** The signed bundle (MIME part body) to attach to outgoing mail. */
  signedBundle: Uint8Array;
  createdAt: Date;
  expiresAt: Date;
}

interface PrekeyRow {
  prekey_id: number;
  secret: Buffer;
  signed_bundle: Buffer;
  created_at: number;
  expires_at: number;
}

export class RatchetKeyRepository {
  constructor(private readonly connection: Connection) {}

  /** Stores the identity DH key of `address`, replacing none: a second call raises CONSTRAINT_FAILED. */
  insertIdentityKey(address: string, secret: Uint8Array): void {
    const local = normalizeAddress(address, 'address');
    requireBytes(secret, 'secret');
    this.connection.write(`insert ratchet identity key of ${local}`, (db) => {
      db.prepare(
        `INSERT INTO ratchet_keys (address, kind, secret, created_at) VALUES (?, 'identity', ?, ?)`,
      ).run(local, secret, Date.now());
    });
  }

  getIdentityKey(address: string): Uint8Array | null {
    const local = normalizeAddress(address, 'address');
    return this.connection.read(`get ratchet identity key of ${local}`, (db) => {
      const row = db
        .prepare(`SELECT secret FROM ratchet_keys WHERE address = ? AND kind = 'identity'`)
        .get(local) as { secret: Buffer } | undefined;
      return row ? new Uint8Array(row.secret) : null;
    });
  }

  insertPrekey(address: string, prekey: StoredPrekey): void {
    const local = normalizeAddress(address, 'address');
    requireInteger(prekey.prekeyId, 0, 0xffff_ffff, 'prekey.prekeyId');
    requireBytes(prekey.secret, 'prekey.secret');
    requireBytes(prekey.signedBundle, 'prekey.signedBundle');
    const createdAt = toMillis(prekey.createdAt, 'prekey.createdAt');
    const expiresAt = toMillis(prekey.expiresAt, 'prekey.expiresAt');
    this.connection.write(`insert prekey ${prekey.prekeyId} of ${local}`, (db) => {
      db.prepare(
        `INSERT INTO ratchet_keys (address, kind, prekey_id, secret, signed_bundle, created_at, expires_at)
         VALUES (?, 'prekey', ?, ?, ?, ?, ?)`,
      ).run(local, prekey.prekeyId, prekey.secret, prekey.signedBundle, createdAt, expiresAt);
    });
  }

  getPrekey(address: string, prekeyId: number): StoredPrekey | null {
    const local = normalizeAddress(address, 'address');
    requireInteger(prekeyId, 0, 0xffff_ffff, 'prekeyId');
    return this.connection.read(`get prekey ${prekeyId} of ${local}`, (db) => {
      const row = db
        .prepare(
          `SELECT prekey_id, secret, signed_bundle, created_at, expires_at FROM ratchet_keys
           WHERE address = ? AND kind = 'prekey' AND prekey_id = ?`,
        )
        .get(local, prekeyId) as PrekeyRow | undefined;
      return row ? toPrekey(row) : null;
    });
  }

  /** Lists the prekeys of `address`, newest first. The first one's bundle goes into outgoing mail. */
  listPrekeys(address: string): StoredPrekey[] {
    const local = normalizeAddress(address, 'address');
    return this.connection.read(`list prekeys of ${local}`, (db) => {
      const rows = db
        .prepare(
          `SELECT prekey_id, secret, signed_bundle, created_at, expires_at FROM ratchet_keys
           WHERE address = ? AND kind = 'prekey' ORDER BY created_at DESC`,
        )
        .all(local) as PrekeyRow[];
      return rows.map(toPrekey);
    });
  }

  /** Deletes the named prekeys of `address`; returns how many rows went. */
  deletePrekeys(address: string, prekeyIds: number[]): number {
    const local = normalizeAddress(address, 'address');
    prekeyIds.forEach((id) => requireInteger(id, 0, 0xffff_ffff, 'prekeyIds'));
    return this.connection.write(`delete prekeys of ${local}`, (db) => {
      const statement = db.prepare(
        `DELETE FROM ratchet_keys WHERE address = ? AND kind = 'prekey' AND prekey_id = ?`,
      );
      return prekeyIds.reduce((count, id) => count + statement.run(local, id).changes, 0);
    });
  }
}

function toPrekey(row: PrekeyRow): StoredPrekey {
  return {
    prekeyId: row.prekey_id,
    secret: new Uint8Array(row.secret),
    signedBundle: new Uint8Array(row.signed_bundle),
    createdAt: fromMillis(row.created_at),
    expiresAt: fromMillis(row.expires_at),
  };
}
