// The audit log of key operations: generate, import, export, unlock, rotation, revocation and
// per-key counts of decryptions and signatures. Each entry's hash is HMAC-SHA256, keyed from
// the KEK, over the entry and the previous entry's hash, so an edited, removed or reordered
// entry breaks the chain, and someone without the key cannot recompute it.
// NOTE: cutting entries off the end of the log leaves a valid shorter chain; only the count
// printed by an earlier `sealpost audit verify` shows that.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, Store } from '@sealpost/storage';
import { CoreError } from './errors.ts';

export type AuditOperation =
  | 'generate'
  | 'import'
  | 'export'
  | 'backup-export'
  | 'backup-import'
  | 'unlock'
  | 'keystore-migrate'
  | 'subkey-rotate'
  | 'expiry-extend'
  | 'revoke'
  | 'usage';

/** Values of an entry's details: counts, flags and short words, never addresses or secrets. */
export type AuditDetails = Record<string, string | number | boolean>;

export interface AuditVerification {
  entries: number;
  lastHash: string | null;
}

const GENESIS_HASH = new Uint8Array(32);

export class AuditLog {
  readonly #decryptions = new Map<string, number>();
  readonly #signatures = new Map<string, number>();

  constructor(
    private readonly store: Store,
    /** Returns the HMAC key; the AuditLog wipes each copy after use. */
    private readonly key: () => Buffer,
  ) {}

  /** Appends one entry. Rejects details that contain an e-mail address. */
  record(operation: AuditOperation, fingerprint: string | null, details: AuditDetails = {}): void {
    for (const [name, value] of Object.entries(details)) {
      if (typeof value === 'string' && value.includes('@')) {
        throw new CoreError(
          'INVALID_ARGUMENT',
          `Audit detail "${name}" contains an address; the audit log records no addresses.`,
        );
      }
    }

    const last = this.store.auditLog.last();
    const fields = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date(),
      operation,
      fingerprint: fingerprint?.toLowerCase() ?? null,
      details: JSON.stringify(details),
      previousHash: last?.hash ?? GENESIS_HASH,
    };
    this.store.auditLog.append({ ...fields, hash: this.#hash(fields) });
  }

  countDecryption(fingerprint: string): void {
    increment(this.#decryptions, fingerprint.toLowerCase());
  }

  countSignature(fingerprint: string): void {
    increment(this.#signatures, fingerprint.toLowerCase());
  }

  /** Writes one `usage` entry per key used since the last flush, then resets the counts. */
  flushUsage(): void {
    const fingerprints = new Set([...this.#decryptions.keys(), ...this.#signatures.keys()]);
    for (const fingerprint of fingerprints) {
      this.record('usage', fingerprint, {
        decryptions: this.#decryptions.get(fingerprint) ?? 0,
        signatures: this.#signatures.get(fingerprint) ?? 0,
      });
    }
    this.#decryptions.clear();
    this.#signatures.clear();
  }

  /** Checks the whole chain; throws AUDIT_LOG_INVALID naming the first entry that fails. */
  verify(): AuditVerification {
    const entries = this.store.auditLog.list();
    let previous: Uint8Array = GENESIS_HASH;
    entries.forEach((entry, index) => {
      const position = index + 1;
      if (entry.seq !== position) {
        throw invalid(
          position,
          `has sequence number ${entry.seq}; an entry was removed or the order changed`,
        );
      }
      if (!equalBytes(entry.previousHash, previous)) {
        throw invalid(
          position,
          'does not follow the entry before it; an entry was removed or reordered',
        );
      }
      if (!equalBytes(entry.hash, this.#hash(entry))) {
        throw invalid(position, 'was changed after it was written');
      }
      previous = entry.hash;
    });
    return {
      entries: entries.length,
      lastHash: entries.length > 0 ? Buffer.from(previous).toString('hex') : null,
    };
  }

  /** Lists the entries for display; the details are JSON objects. */
  list(): (Omit<AuditEntry, 'previousHash' | 'hash' | 'details'> & { details: AuditDetails })[] {
    return this.store.auditLog.list().map((entry) => ({
      seq: entry.seq,
      at: entry.at,
      operation: entry.operation,
      fingerprint: entry.fingerprint,
      details: JSON.parse(entry.details) as AuditDetails,
    }));
  }

  #hash(entry: Omit<AuditEntry, 'hash'>): Uint8Array {
    const key = this.key();
    try {
      const canonical = JSON.stringify([
        entry.seq,
        entry.at.getTime(),
        entry.operation,
        entry.fingerprint,
        entry.details,
        Buffer.from(entry.previousHash).toString('hex'),
      ]);
      return new Uint8Array(createHmac('sha256', key).update(canonical).digest());
    } finally {
      key.fill(0);
    }
  }
}

function increment(counts: Map<string, number>, fingerprint: string): void {
  counts.set(fingerprint, (counts.get(fingerprint) ?? 0) + 1);
}

function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

function invalid(seq: number, problem: string): CoreError {
  return new CoreError(
    'AUDIT_LOG_INVALID',
    `Audit log entry ${seq} ${problem}. The log was tampered with or damaged; keep a copy of the data folder for inspection.`,
  );
}
