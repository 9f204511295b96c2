// ContactTrustRepository: what the user and past certificates established about a contact's
// key, apart from pinning. `contact_verifications` holds fingerprints the user checked (by
// comparison or by scanning an openpgp4fpr: QR code); `contact_capabilities` the last
// certificate of an address that offered an ML-KEM-768+X25519 subkey, so a later certificate
// without one can be reported as a downgrade.

import type { Connection } from '../connection.ts';
import { fromMillis, toMillis } from '../connection.ts';
import { normalizeAddress, normalizeFingerprint, requireOneOf } from '../validate.ts';

/** How the user verified a fingerprint: read and compared, or scanned as an openpgp4fpr: URI. */
export type VerificationMethod = 'fingerprint' | 'qr-code';
export const VERIFICATION_METHODS: readonly VerificationMethod[] = ['fingerprint', 'qr-code'];

export interface ContactVerification {
  address: string;
  fingerprint: string;
  method: VerificationMethod;
  verifiedAt: Date;
}

export interface PostQuantumCapability {
  address: string;
  /** Primary fingerprint of the certificate that had a usable algorithm-35 subkey. */
  fingerprint: string;
  seenAt: Date;
}

interface VerificationRow {
  address: string;
  fingerprint: string;
  method: VerificationMethod;
  verified_at: number;
}

export class ContactTrustRepository {
  constructor(private readonly connection: Connection) {}

  /** Records that the user verified `fingerprint` for `address`; a repeat updates the method and time. */
  recordVerification(verification: ContactVerification): void {
    const address = normalizeAddress(verification.address, 'address');
    const fingerprint = normalizeFingerprint(verification.fingerprint, 'fingerprint');
    const method = requireOneOf(verification.method, VERIFICATION_METHODS, 'method');
    const verifiedAt = toMillis(verification.verifiedAt, 'verifiedAt');
    this.connection.write(`record verification of ${fingerprint} for ${address}`, (db) => {
      db.prepare(
        `INSERT INTO contact_verifications (address, fingerprint, method, verified_at)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (address, fingerprint) DO UPDATE SET
           method = excluded.method, verified_at = excluded.verified_at`,
      ).run(address, fingerprint, method, verifiedAt);
    });
  }

  /** Returns the verification of `fingerprint` for `address`, or null when it was never verified. */
  getVerification(address: string, fingerprint: string): ContactVerification | null {
    const normalizedAddress = normalizeAddress(address, 'address');
    const normalizedFingerprint = normalizeFingerprint(fingerprint, 'fingerprint');
    const row = this.connection.read(`get verification of ${normalizedAddress}`, (db) =>
      db
        .prepare('SELECT * FROM contact_verifications WHERE address = ? AND fingerprint = ?')
        .get(normalizedAddress, normalizedFingerprint),
    ) as VerificationRow | undefined;
    return row
      ? {
          address: row.address,
          fingerprint: row.fingerprint,
          method: row.method,
          verifiedAt: fromMillis(row.verified_at),
        }
      : null;
  }

  /** Records that a certificate of `address` offered a usable post-quantum subkey at `seenAt`. */
  recordPostQuantum(capability: PostQuantumCapability): void {
    const address = normalizeAddress(capability.address, 'address');
    const fingerprint = normalizeFingerprint(capability.fingerprint, 'fingerprint');
    const seenAt = toMillis(capability.seenAt, 'seenAt');
    this.connection.write(`record post-quantum capability of ${address}`, (db) => {
      db.prepare(
        `INSERT INTO contact_capabilities (address, post_quantum_fingerprint, post_quantum_seen_at)
         VALUES (?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET
           post_quantum_fingerprint = excluded.post_quantum_fingerprint,
           post_quantum_seen_at = excluded.post_quantum_seen_at
         WHERE excluded.post_quantum_seen_at >= contact_capabilities.post_quantum_seen_at`,
      ).run(address, fingerprint, seenAt);
    });
  }

  /** Returns the last post-quantum capability recorded for `address`, or null. */
  getPostQuantum(address: string): PostQuantumCapability | null {
    const normalized = normalizeAddress(address, 'address');
    const row = this.connection.read(`get post-quantum capability of ${normalized}`, (db) =>
      db.prepare('SELECT * FROM contact_capabilities WHERE address = ?').get(normalized),
    ) as
      | { address: string; post_quantum_fingerprint: string; post_quantum_seen_at: number }
      | undefined;
    return row
      ? {
          address: row.address,
          fingerprint: row.post_quantum_fingerprint,
          seenAt: fromMillis(row.post_quantum_seen_at),
        }
      : null;
  }
}
