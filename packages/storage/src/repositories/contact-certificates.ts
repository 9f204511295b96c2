// ContactCertificateRepository: the `contact_certificates` table and its pinning rule
// (trust on first use). The first fingerprint seen for an address is pinned. A different one
// seen later is recorded with status `changed` and never replaces the pinned one by itself.
// Only the user does that, with an import that passes replacePinned or with acknowledgeChange.

import type { Connection, SqliteDatabase } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { StorageError } from '../errors.ts';
import {
  normalizeAddress,
  normalizeFingerprint,
  rejectUnknownKeys,
  requireArmored,
  requireOneOf,
} from '../validate.ts';
import { PUBLIC_KEY_HEADER } from './identities.ts';

/**
 * Origin of a certificate: an Autocrypt header, an Autocrypt-Gossip header, a user import, or a
 * Web Key Directory or keys.openpgp.org (VKS) lookup.
 */
export type CertificateSource = 'autocrypt' | 'gossip' | 'import' | 'wkd' | 'vks';
export const CERTIFICATE_SOURCES: readonly CertificateSource[] = [
  'autocrypt',
  'gossip',
  'import',
  'wkd',
  'vks',
];

/** The Autocrypt prefer-encrypt attribute (Autocrypt Level 1, section 2.1). */
export type PreferEncrypt = 'mutual' | 'nopreference';
export const PREFER_ENCRYPT_VALUES: readonly PreferEncrypt[] = ['mutual', 'nopreference'];

/**
 * `pinned`: the certificate used for this address. `changed`: a different fingerprint seen after
 * the pin, waiting for the user. `replaced`: formerly pinned, superseded by the user's choice.
 * `rejected`: a changed fingerprint the user declined to use.
 */
export type CertificateStatus = 'pinned' | 'changed' | 'replaced' | 'rejected';

export interface ContactCertificate {
  id: number;
  /** Lowercased. */
  address: string;
  /** Uppercase hex without spaces. */
  fingerprint: string;
  /** Armored public certificate. */
  certificate: string;
  source: CertificateSource;
  preferEncrypt: PreferEncrypt | null;
  status: CertificateStatus;
  firstSeen: Date;
  lastSeen: Date;
}

export interface CertificateSighting {
  address: string;
  fingerprint: string;
  certificate: string;
  source: CertificateSource;
  preferEncrypt?: PreferEncrypt | null;
  /** When the certificate was seen, e.g. the Date of the message that carried it. */
  seenAt: Date;
}

export interface RecordOptions {
  /** Make an imported certificate the pinned one; set only after the user confirmed the change. */
  replacePinned?: boolean;
}

/**
 * `new`: the first certificate for the address, now pinned. `unchanged`: a known fingerprint
 * with the same certificate text (last seen time updated). `updated`: a known fingerprint with
 * new certificate text, e.g. a later expiry. `changed-flagged`: an unknown fingerprint while
 * another one is pinned, recorded as `changed`. `replaced`: the import became the pinned one.
 */
export type RecordOutcome = 'new' | 'unchanged' | 'updated' | 'changed-flagged' | 'replaced';

export interface RecordResult {
  outcome: RecordOutcome;
  /** The certificate pinned for the address after the call. */
  pinned: ContactCertificate;
}

export interface CertificateRow {
  id: number;
  contact_address: string;
  fingerprint: string;
  certificate: string;
  source: CertificateSource;
  prefer_encrypt: PreferEncrypt | null;
  status: CertificateStatus;
  first_seen: number;
  last_seen: number;
}

// A certificate keeps the most direct source it has been seen from.
const SOURCE_RANK: Record<CertificateSource, number> = {
  gossip: 0,
  vks: 1,
  wkd: 2,
  autocrypt: 3,
  import: 4,
};

export class ContactCertificateRepository {
  constructor(private readonly connection: Connection) {}

  /** Records a certificate seen for an address and applies the pinning rule in one transaction. */
  recordCertificate(sighting: CertificateSighting, options: RecordOptions = {}): RecordResult {
    rejectUnknownKeys(options, ['replacePinned'], 'options');
    const address = normalizeAddress(sighting.address, 'address');
    const fingerprint = normalizeFingerprint(sighting.fingerprint, 'fingerprint');
    const certificate = requireArmored(sighting.certificate, [PUBLIC_KEY_HEADER], 'certificate');
    const source = requireOneOf(sighting.source, CERTIFICATE_SOURCES, 'source');
    const preferEncrypt =
      sighting.preferEncrypt == null
        ? null
        : requireOneOf(sighting.preferEncrypt, PREFER_ENCRYPT_VALUES, 'preferEncrypt');
    const seenAt = toMillis(sighting.seenAt, 'seenAt');
    const replacePinned = options.replacePinned === true;
    if (replacePinned && source !== 'import') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `replacePinned is only valid for source "import", got "${source}". ` +
          'Use acknowledgeChange to pin a certificate seen in mail.',
      );
    }

    return this.connection.write(`record certificate ${fingerprint} for ${address}`, (db) => {
      db.prepare(
        'INSERT INTO contacts (address, name, created_at) VALUES (?, NULL, ?) ON CONFLICT (address) DO NOTHING',
      ).run(address, Date.now());

      const pinned = selectPinned(db, address);
      const known = selectOne(db, address, fingerprint);
      const input = { address, fingerprint, certificate, source, preferEncrypt, seenAt };

      if (!pinned) {
        if (known) {
          refresh(db, known, input);
          setStatus(db, known.id, 'pinned');
        } else {
          insert(db, input, 'pinned');
        }
        return { outcome: 'new', pinned: requirePinned(db, address) };
      }

      if (known) {
        const refreshed = refresh(db, known, input);
        if (replacePinned && known.status !== 'pinned') {
          setStatus(db, pinned.id, 'replaced');
          setStatus(db, known.id, 'pinned');
          return { outcome: 'replaced', pinned: requirePinned(db, address) };
        }
        return { outcome: refreshed, pinned: requirePinned(db, address) };
      }

      if (replacePinned) {
        setStatus(db, pinned.id, 'replaced');
        insert(db, input, 'pinned');
        return { outcome: 'replaced', pinned: requirePinned(db, address) };
      }
      insert(db, input, 'changed');
      return { outcome: 'changed-flagged', pinned: toCertificate(pinned) };
    });
  }

  /** Returns the pinned certificate for `address`, or null when none was seen yet. */
  getPinned(address: string): ContactCertificate | null {
    const normalized = normalizeAddress(address, 'address');
    const row = this.connection.read(`get pinned certificate of ${normalized}`, (db) =>
      selectPinned(db, normalized),
    );
    return row ? toCertificate(row) : null;
  }

  /** Lists every certificate recorded for `address`, the pinned one first. */
  listForAddress(address: string): ContactCertificate[] {
    const normalized = normalizeAddress(address, 'address');
    const rows = this.connection.read(`list certificates of ${normalized}`, (db) =>
      db
        .prepare(
          `SELECT * FROM contact_certificates WHERE contact_address = ?
           ORDER BY status = 'pinned' DESC, first_seen, id`,
        )
        .all(normalized),
    ) as CertificateRow[];
    return rows.map(toCertificate);
  }

  /**
   * Applies the user's decision on a changed certificate. `pin: true` makes `fingerprint` the
   * pinned certificate and marks the old one `replaced`. `pin: false` marks it `rejected` and
   * keeps the pinned one. Returns the certificate pinned afterwards.
   */
  acknowledgeChange(
    address: string,
    fingerprint: string,
    decision: { pin: boolean },
  ): ContactCertificate {
    rejectUnknownKeys(decision, ['pin'], 'decision');
    const normalizedAddress = normalizeAddress(address, 'address');
    const normalizedFingerprint = normalizeFingerprint(fingerprint, 'fingerprint');
    if (typeof decision.pin !== 'boolean') {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `decision.pin: expected a boolean, got ${String(decision.pin)}.`,
      );
    }

    const operation = `acknowledge certificate ${normalizedFingerprint} for ${normalizedAddress}`;
    return this.connection.write(operation, (db) => {
      const target = selectOne(db, normalizedAddress, normalizedFingerprint);
      if (!target) {
        throw new StorageError(
          'CONTACT_CERTIFICATE_NOT_FOUND',
          `No certificate ${normalizedFingerprint} is recorded for ${normalizedAddress}. ` +
            'List the certificates of the contact to get a current fingerprint.',
        );
      }

      if (decision.pin) {
        if (target.status !== 'pinned') {
          const pinned = selectPinned(db, normalizedAddress);
          if (pinned) setStatus(db, pinned.id, 'replaced');
          setStatus(db, target.id, 'pinned');
        }
      } else {
        if (target.status === 'pinned') {
          throw new StorageError(
            'INVALID_STATE',
            `Certificate ${normalizedFingerprint} is the pinned one for ${normalizedAddress} and cannot be rejected. ` +
              'Pin another certificate first.',
          );
        }
        setStatus(db, target.id, 'rejected');
      }
      return requirePinned(db, normalizedAddress);
    });
  }
}

interface CheckedSighting {
  address: string;
  fingerprint: string;
  certificate: string;
  source: CertificateSource;
  preferEncrypt: PreferEncrypt | null;
  seenAt: number;
}

function selectPinned(db: SqliteDatabase, address: string): CertificateRow | undefined {
  return db
    .prepare(`SELECT * FROM contact_certificates WHERE contact_address = ? AND status = 'pinned'`)
    .get(address) as CertificateRow | undefined;
}

function requirePinned(db: SqliteDatabase, address: string): ContactCertificate {
  const row = selectPinned(db, address);
  if (!row) {
    throw new StorageError(
      'INVALID_STATE',
      `No pinned certificate for ${address} after the update.`,
    );
  }
  return toCertificate(row);
}

function selectOne(
  db: SqliteDatabase,
  address: string,
  fingerprint: string,
): CertificateRow | undefined {
  return db
    .prepare('SELECT * FROM contact_certificates WHERE contact_address = ? AND fingerprint = ?')
    .get(address, fingerprint) as CertificateRow | undefined;
}

function insert(db: SqliteDatabase, input: CheckedSighting, status: CertificateStatus): void {
  db.prepare(
    `INSERT INTO contact_certificates (contact_address, fingerprint, certificate, source,
       prefer_encrypt, status, first_seen, last_seen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    input.address,
    input.fingerprint,
    input.certificate,
    input.source,
    input.preferEncrypt,
    status,
    input.seenAt,
    input.seenAt,
  );
}

/**
 * Updates a known fingerprint with a new sighting. The certificate text and prefer-encrypt
 * follow the newest sighting, so an older message synced late does not roll back a refreshed
 * certificate. A user import always wins. Returns whether the certificate text changed.
 */
function refresh(
  db: SqliteDatabase,
  known: CertificateRow,
  input: CheckedSighting,
): 'unchanged' | 'updated' {
  const isNewest = input.seenAt >= known.last_seen || input.source === 'import';
  const certificate = isNewest ? input.certificate : known.certificate;
  const preferEncrypt =
    isNewest && input.source === 'autocrypt' ? input.preferEncrypt : known.prefer_encrypt;
  const source =
    SOURCE_RANK[input.source] > SOURCE_RANK[known.source] ? input.source : known.source;

  db.prepare(
    `UPDATE contact_certificates
     SET certificate = ?, prefer_encrypt = ?, source = ?,
         first_seen = min(first_seen, ?), last_seen = max(last_seen, ?)
     WHERE id = ?`,
  ).run(certificate, preferEncrypt, source, input.seenAt, input.seenAt, known.id);

  return certificate === known.certificate ? 'unchanged' : 'updated';
}

function setStatus(db: SqliteDatabase, id: number, status: CertificateStatus): void {
  db.prepare('UPDATE contact_certificates SET status = ? WHERE id = ?').run(status, id);
}

export function toCertificate(row: CertificateRow): ContactCertificate {
  return {
    id: row.id,
    address: row.contact_address,
    fingerprint: row.fingerprint,
    certificate: row.certificate,
    source: row.source,
    preferEncrypt: row.prefer_encrypt,
    status: row.status,
    firstSeen: fromMillis(row.first_seen),
    lastSeen: fromMillis(row.last_seen),
  };
}
