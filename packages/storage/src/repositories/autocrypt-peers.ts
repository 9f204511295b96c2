// AutocryptPeerRepository: the `autocrypt_peers` table, one row of Autocrypt Level 1 peer state
// per address (section 2.3: last_seen, autocrypt_timestamp, public_key, prefer_encrypt,
// gossip_timestamp, gossip_key). The update rules live with the caller; this stores the result.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { normalizeAddress, normalizeFingerprint, requireOneOf } from '../validate.ts';
import { PREFER_ENCRYPT_VALUES } from './contact-certificates.ts';
import type { PreferEncrypt } from './contact-certificates.ts';

export interface AutocryptPeer {
  /** Lowercased. */
  address: string;
  lastSeen: Date | null;
  autocryptTimestamp: Date | null;
  /** Binary keydata of the last Autocrypt header, or null. */
  publicKey: Uint8Array | null;
  publicKeyFingerprint: string | null;
  preferEncrypt: PreferEncrypt | null;
  gossipTimestamp: Date | null;
  gossipKey: Uint8Array | null;
  gossipKeyFingerprint: string | null;
}

interface PeerRow {
  address: string;
  last_seen: number | null;
  autocrypt_timestamp: number | null;
  public_key: Buffer | null;
  public_key_fingerprint: string | null;
  prefer_encrypt: PreferEncrypt | null;
  gossip_timestamp: number | null;
  gossip_key: Buffer | null;
  gossip_key_fingerprint: string | null;
}

export class AutocryptPeerRepository {
  constructor(private readonly connection: Connection) {}

  get(address: string): AutocryptPeer | null {
    const normalized = normalizeAddress(address, 'address');
    const row = this.connection.read(`get Autocrypt peer ${normalized}`, (db) =>
      db.prepare('SELECT * FROM autocrypt_peers WHERE address = ?').get(normalized),
    ) as PeerRow | undefined;
    return row ? toPeer(row) : null;
  }

  /** Stores the whole peer state of `peer.address`, replacing the previous one. */
  save(peer: AutocryptPeer): void {
    const address = normalizeAddress(peer.address, 'address');
    const optionalMillis = (date: Date | null, field: string) =>
      date === null ? null : toMillis(date, field);
    const optionalFingerprint = (value: string | null, field: string) =>
      value === null ? null : normalizeFingerprint(value, field);
    const preferEncrypt =
      peer.preferEncrypt === null
        ? null
        : requireOneOf(peer.preferEncrypt, PREFER_ENCRYPT_VALUES, 'preferEncrypt');

    this.connection.write(`save Autocrypt peer ${address}`, (db) => {
      db.prepare(
        `INSERT INTO autocrypt_peers (address, last_seen, autocrypt_timestamp, public_key,
           public_key_fingerprint, prefer_encrypt, gossip_timestamp, gossip_key, gossip_key_fingerprint)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET
           last_seen = excluded.last_seen,
           autocrypt_timestamp = excluded.autocrypt_timestamp,
           public_key = excluded.public_key,
           public_key_fingerprint = excluded.public_key_fingerprint,
           prefer_encrypt = excluded.prefer_encrypt,
           gossip_timestamp = excluded.gossip_timestamp,
           gossip_key = excluded.gossip_key,
           gossip_key_fingerprint = excluded.gossip_key_fingerprint`,
      ).run(
        address,
        optionalMillis(peer.lastSeen, 'lastSeen'),
        optionalMillis(peer.autocryptTimestamp, 'autocryptTimestamp'),
        peer.publicKey === null ? null : Buffer.from(peer.publicKey),
        optionalFingerprint(peer.publicKeyFingerprint, 'publicKeyFingerprint'),
        preferEncrypt,
        optionalMillis(peer.gossipTimestamp, 'gossipTimestamp'),
        peer.gossipKey === null ? null : Buffer.from(peer.gossipKey),
        optionalFingerprint(peer.gossipKeyFingerprint, 'gossipKeyFingerprint'),
      );
    });
  }
}

function toPeer(row: PeerRow): AutocryptPeer {
  return {
    address: row.address,
    lastSeen: fromMillis(row.last_seen),
    autocryptTimestamp: fromMillis(row.autocrypt_timestamp),
    publicKey: row.public_key === null ? null : new Uint8Array(row.public_key),
    publicKeyFingerprint: row.public_key_fingerprint,
    preferEncrypt: row.prefer_encrypt,
    gossipTimestamp: fromMillis(row.gossip_timestamp),
    gossipKey: row.gossip_key === null ? null : new Uint8Array(row.gossip_key),
    gossipKeyFingerprint: row.gossip_key_fingerprint,
  };
}
