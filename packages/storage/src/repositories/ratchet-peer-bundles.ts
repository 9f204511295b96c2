// RatchetPeerBundleRepository: the `ratchet_peer_bundles` table (migration 6), the last prekey
// bundle of each contact whose signature core verified against the contact's pinned
// certificate. Only core decides what is verified; this table stores what it was given.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import {
  normalizeAddress,
  normalizeFingerprint,
  requireBytes,
  requireInteger,
} from '../validate.ts';

export interface PeerBundle {
  address: string;
  /** Fingerprint of the pinned certificate that verified the bundle. */
  fingerprint: string;
  /** The signed bundle, the body of the `application/x-sealpost-prekey-bundle` part. */
  signedBundle: Uint8Array;
  /** The contact's X25519 identity DH key named in the bundle. */
  identityKey: Uint8Array;
  prekeyId: number;
  createdAt: Date;
  expiresAt: Date;
  receivedAt: Date;
}

interface BundleRow {
  address: string;
  fingerprint: string;
  signed_bundle: Buffer;
  identity_key: Buffer;
  prekey_id: number;
  created_at: number;
  expires_at: number;
  received_at: number;
}

export class RatchetPeerBundleRepository {
  constructor(private readonly connection: Connection) {}

  /**
   * Stores `bundle` for its address unless the stored one was created later; returns whether it
   * was stored. An older bundle never replaces a newer one, so a replayed message cannot roll
   * a contact back to a prekey that is about to be deleted.
   */
  put(bundle: PeerBundle): boolean {
    const address = normalizeAddress(bundle.address, 'bundle.address');
    const fingerprint = normalizeFingerprint(bundle.fingerprint, 'bundle.fingerprint');
    requireBytes(bundle.signedBundle, 'bundle.signedBundle');
    const identityKey = requireBytes(bundle.identityKey, 'bundle.identityKey');
    if (identityKey.length !== 32) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `bundle.identityKey: expected 32 bytes, got ${identityKey.length}.`,
      );
    }
    const prekeyId = requireInteger(bundle.prekeyId, 0, 0xffff_ffff, 'bundle.prekeyId');
    const createdAt = toMillis(bundle.createdAt, 'bundle.createdAt');
    const expiresAt = toMillis(bundle.expiresAt, 'bundle.expiresAt');
    const receivedAt = toMillis(bundle.receivedAt, 'bundle.receivedAt');

    return this.connection.write(`store prekey bundle of ${address}`, (db) => {
      const result = db
        .prepare(
          `INSERT INTO ratchet_peer_bundles (address, fingerprint, signed_bundle, identity_key,
             prekey_id, created_at, expires_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (address) DO UPDATE SET fingerprint = excluded.fingerprint,
             signed_bundle = excluded.signed_bundle, identity_key = excluded.identity_key,
             prekey_id = excluded.prekey_id, created_at = excluded.created_at,
             expires_at = excluded.expires_at, received_at = excluded.received_at
           WHERE excluded.created_at >= ratchet_peer_bundles.created_at`,
        )
        .run(
          address,
          fingerprint,
          bundle.signedBundle,
          identityKey,
          prekeyId,
          createdAt,
          expiresAt,
          receivedAt,
        );
      return result.changes > 0;
    });
  }

  get(address: string): PeerBundle | null {
    const peer = normalizeAddress(address, 'address');
    return this.connection.read(`get prekey bundle of ${peer}`, (db) => {
      const row = db.prepare('SELECT * FROM ratchet_peer_bundles WHERE address = ?').get(peer) as
        BundleRow | undefined;
      return row ? toBundle(row) : null;
    });
  }

  /** Deletes the bundle of `address`, for example when its certificate was replaced. */
  remove(address: string): void {
    const peer = normalizeAddress(address, 'address');
    this.connection.write(`remove prekey bundle of ${peer}`, (db) => {
      db.prepare('DELETE FROM ratchet_peer_bundles WHERE address = ?').run(peer);
    });
  }
}

function toBundle(row: BundleRow): PeerBundle {
  return {
    address: row.address,
    fingerprint: row.fingerprint,
    signedBundle: new Uint8Array(row.signed_bundle),
    identityKey: new Uint8Array(row.identity_key),
    prekeyId: row.prekey_id,
    createdAt: fromMillis(row.created_at),
    expiresAt: fromMillis(row.expires_at),
    receivedAt: fromMillis(row.received_at),
  };
}
