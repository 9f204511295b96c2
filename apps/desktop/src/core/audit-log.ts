// The audit log of key operations: generate, import, export, unlock, rotation, revocation and
// per-key counts of decryptions and signatures. Each entry's hash is HMAC-SHA256, keyed from
// the KEK, over the entry and the previous entry's hash, so an edited, removed or reordered
// entry breaks the chain, and someone without the key cannot recompute it. Entries cut off the
// end leave a valid shorter chain, so each append also moves an anchor kept outside the
// database (audit-anchor.ts), and `verify` compares the log with it.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, Store } from '@sealpost/storage';
import { AUDIT_ANCHOR_FILE, AuditAnchorFile } from './audit-anchor.ts';
import type { AuditAnchor } from './audit-anchor.ts';
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
  | 'usage'
  | 'audit-anchor-create'
  | 'audit-anchor-mismatch'
  | 'audit-mismatch-accept';

/**
 * The relation of the anchor to the newest entry. `lagging` is the state after a crash between
 * the database commit of an entry and the anchor write, which `record` and `verify` accept.
 */
type AnchorState =
  'current' | 'lagging' | 'missing' | 'truncated' | 'replaced' | 'stale' | 'anchor-invalid';

/** Values of an entry's details: counts, flags and short words, never addresses or secrets. */
export type AuditDetails = Record<string, string | number | boolean>;

export interface AuditVerification {
  entries: number;
  lastHash: string | null;
  /** Sequence numbers of the `audit-anchor-mismatch` entries the user accepted. */
  acceptedMismatches: number[];
  /**
   * The newest `audit-anchor-create` entry: the anchor was deleted (or the log predates anchors)
   * and made again there, so cuts of the entries before it cannot be detected. Null without one.
   */
  anchorRecreated: { seq: number; at: Date } | null;
}

const GENESIS_HASH = new Uint8Array(32);

export class AuditLog {
  readonly #decryptions = new Map<string, number>();
  readonly #signatures = new Map<string, number>();
  readonly #anchor: AuditAnchorFile;

  constructor(
    private readonly store: Store,
    /** Returns the HMAC key; the AuditLog wipes each copy after use. */
    private readonly key: () => Buffer,
    /** Path of the anchor file, which must lie outside the database. */
    anchorFile: string,
  ) {
    this.#anchor = new AuditAnchorFile(anchorFile, key);
  }

  /**
   * Appends one entry and moves the anchor to it. Rejects details that contain an e-mail
   * address. When the anchor does not match the log, an `audit-anchor-mismatch` entry with the
   * difference is appended first, so `verify` keeps reporting it after the anchor moves on.
   */
  record(operation: AuditOperation, fingerprint: string | null, details: AuditDetails = {}): void {
    for (const [name, value] of Object.entries(details)) {
      if (typeof value === 'string' && value.includes('@')) {
        throw new CoreError(
          'INVALID_ARGUMENT',
          `Audit detail "${name}" contains an address; the audit log records no addresses.`,
        );
      }
    }

    let last = this.store.auditLog.last();
    const { state, anchor } = this.#anchorState(last);
    // The entry and the anchor live in two stores, because the anchor must survive a rewrite of
    // the database, so no transaction covers both. A crash between the database commit and the
    // anchor write leaves the anchor one entry behind. Catching up here, before the next
    // append, keeps that lag at one entry at most, and `verify` accepts exactly that lag.
    // NOTE: two processes appending to one data folder at once can write their anchors out of
    // order, which the next append records as an outdated anchor.
    if (state === 'lagging' && last) this.#anchor.write(last);
    if (state === 'missing' && last) {
      // When the log predates anchors or the anchor file was deleted, anchoring starts at the
      // current end of the log, and this entry records that it did.
      last = this.#append('audit-anchor-create', null, { previousEntries: last.seq }, last);
    } else if (state !== 'current' && state !== 'lagging') {
      last = this.#append(
        'audit-anchor-mismatch',
        null,
        { reason: state, anchoredSeq: anchor?.seq ?? 0, lastSeq: last?.seq ?? 0 },
        last,
      );
    }
    this.#append(operation, fingerprint?.toLowerCase() ?? null, details, last);
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

  /**
   * Checks the whole chain, then the anchor. Throws AUDIT_LOG_INVALID naming the first entry
   * that fails, AUDIT_LOG_TRUNCATED naming the first missing entry, and AUDIT_ANCHOR_INVALID for
   * a missing, altered or outdated anchor, also when an earlier append found one.
   */
  verify(): AuditVerification {
    const entries = this.store.auditLog.list();
    let previous: Uint8Array = GENESIS_HASH;
    let mismatches: AuditEntry[] = [];
    const accepted: number[] = [];
    let anchorRecreated: AuditVerification['anchorRecreated'] = null;
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
      if (entry.operation === 'audit-anchor-create')
        anchorRecreated = { seq: entry.seq, at: entry.at };
      if (entry.operation === 'audit-anchor-mismatch') mismatches.push(entry);
      // An acceptance covers every mismatch recorded before it, never a later one.
      if (entry.operation === 'audit-mismatch-accept') {
        accepted.push(...mismatches.map((mismatch) => mismatch.seq));
        mismatches = [];
      }
      previous = entry.hash;
    });
    if (mismatches[0]) throw recordedMismatch(mismatches[0]);

    const last = entries.at(-1) ?? null;
    const anchor = this.#anchor.read();
    const state = compareAnchor(anchor, last, (seq) => entries[seq - 1]?.hash ?? null);
    if (state === 'missing') {
      throw new CoreError(
        'AUDIT_ANCHOR_INVALID',
        `The audit log anchor ${this.#anchor.file} is missing, but the log has ${entries.length} entries, so the anchor was deleted. Keep a copy of the data folder for inspection.`,
      );
    }
    if (state !== 'current' && state !== 'lagging') {
      throw mismatchError(state, anchor?.seq ?? 0, last?.seq ?? 0, null);
    }
    return {
      entries: entries.length,
      lastHash: entries.length > 0 ? Buffer.from(previous).toString('hex') : null,
      acceptedMismatches: accepted,
      anchorRecreated,
    };
  }

  /**
   * Raises AUDIT_LOG_TRUNCATED when the log is behind its anchor (entries cut off the end, or an
   * older copy of the database), or when an earlier append recorded that and no
   * `audit-mismatch-accept` followed. Opening the data folder calls this, so a rolled-back
   * database is not used to sign with a key revoked later or to reuse ratchet message keys.
   * An outdated or altered anchor over a complete log is left to `verify`.
   */
  requireNotRolledBack(): void {
    const last = this.store.auditLog.last();
    const { state, anchor } = this.#anchorState(last);
    if (state === 'truncated' || state === 'replaced') {
      throw mismatchError(state, anchor?.seq ?? 0, last?.seq ?? 0, null);
    }

    let unaccepted: AuditEntry | null = null;
    for (const entry of this.store.auditLog.list()) {
      if (entry.operation === 'audit-mismatch-accept') unaccepted = null;
      if (entry.operation !== 'audit-anchor-mismatch' || unaccepted) continue;
      const { reason } = JSON.parse(entry.details) as AuditDetails;
      if (reason === 'truncated' || reason === 'replaced') unaccepted = entry;
    }
    if (unaccepted) throw recordedMismatch(unaccepted);
  }

  /**
   * Accepts the current log after a rollback or an anchor mismatch, for a user who knows its
   * cause (for example a restored older copy of the data folder). Appends the mismatch entry
   * when no append recorded it yet, then an `audit-mismatch-accept` entry, so `verify` passes
   * again and still lists the accepted mismatches. Returns the number of mismatches accepted.
   */
  acceptMismatch(): number {
    const last = this.store.auditLog.last();
    const { state } = this.#anchorState(last);
    const unaccepted = this.#unacceptedMismatchesBefore(Number.MAX_SAFE_INTEGER);
    if (unaccepted === 0 && (state === 'current' || state === 'lagging')) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        'The audit log and its anchor match, so there is nothing to accept; "sealpost audit verify" checks the log.',
      );
    }
    // `record` writes the mismatch entry first when the anchor does not match.
    this.record('audit-mismatch-accept', null);
    return this.#unacceptedMismatchesBefore(this.store.auditLog.last()!.seq);
  }

  /** Counts the mismatch entries after the last acceptance and before entry `seq`. */
  #unacceptedMismatchesBefore(seq: number): number {
    let count = 0;
    for (const entry of this.store.auditLog.list()) {
      if (entry.seq >= seq) break;
      if (entry.operation === 'audit-anchor-mismatch') count += 1;
      if (entry.operation === 'audit-mismatch-accept') count = 0;
    }
    return count;
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

  /** Appends an entry after `last` and moves the anchor to it. */
  #append(
    operation: AuditOperation,
    fingerprint: string | null,
    details: AuditDetails,
    last: AuditEntry | null,
  ): AuditEntry {
    const fields = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date(),
      operation,
      fingerprint,
      details: JSON.stringify(details),
      previousHash: last?.hash ?? GENESIS_HASH,
    };
    const entry = { ...fields, hash: this.#hash(fields) };
    this.store.auditLog.append(entry);
    this.#anchor.write({ seq: entry.seq, hash: entry.hash });
    return entry;
  }

  /** Compares the anchor with `last`. An unreadable or altered anchor becomes a state here. */
  #anchorState(last: AuditEntry | null): { state: AnchorState; anchor: AuditAnchor | null } {
    let anchor: AuditAnchor | null;
    try {
      anchor = this.#anchor.read();
    } catch (error) {
      if (error instanceof CoreError && error.code === 'AUDIT_ANCHOR_INVALID') {
        return { state: 'anchor-invalid', anchor: null };
      }
      throw error;
    }
    const hashAt = (seq: number) =>
      this.store.auditLog.list().find((entry) => entry.seq === seq)?.hash ?? null;
    return { state: compareAnchor(anchor, last, hashAt), anchor };
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

/**
 * Compares `anchor` with the newest entry `last`. `hashAt` returns the stored hash of an entry
 * and is called only when the anchor is more than one entry behind.
 */
function compareAnchor(
  anchor: AuditAnchor | null,
  last: AuditEntry | null,
  hashAt: (seq: number) => Uint8Array | null,
): AnchorState {
  if (!anchor) {
    if (last === null) return 'current';
    // A crash after the very first entry was committed leaves no anchor yet.
    return last.seq === 1 ? 'lagging' : 'missing';
  }
  if (!last || last.seq < anchor.seq) return 'truncated';
  if (last.seq === anchor.seq) return equalBytes(last.hash, anchor.hash) ? 'current' : 'replaced';
  if (last.seq === anchor.seq + 1) {
    return equalBytes(last.previousHash, anchor.hash) ? 'lagging' : 'replaced';
  }
  const anchored = hashAt(anchor.seq);
  return anchored && equalBytes(anchored, anchor.hash) ? 'stale' : 'replaced';
}

/** Builds the error for an anchor state other than current, lagging or missing. */
function mismatchError(
  state: AnchorState,
  anchoredSeq: number,
  lastSeq: number,
  foundAt: number | null,
): CoreError {
  const found = foundAt === null ? '' : ` (found when entry ${foundAt} was written)`;
  const next =
    ` Keep a copy of the data folder for inspection, then restore sealpost.db together with ${AUDIT_ANCHOR_FILE} from the same backup of the data folder;` +
    ' or, if you know the cause (such as a restored older copy of the data folder), accept the current log with "sealpost audit accept --yes", which the log records.';
  switch (state) {
    case 'truncated':
      return new CoreError(
        'AUDIT_LOG_TRUNCATED',
        `The audit log ended at entry ${lastSeq}, but its anchor names entry ${anchoredSeq}${found}: entry ${lastSeq + 1} is the first missing one, so entries were cut off the end or the log was replaced by an older copy.${next}`,
      );
    case 'replaced':
      return new CoreError(
        'AUDIT_LOG_TRUNCATED',
        `Audit log entry ${anchoredSeq} is not the entry its anchor names${found}: entry ${anchoredSeq} is the first missing one, so the log was replaced by another copy.${next}`,
      );
    case 'stale':
      return new CoreError(
        'AUDIT_ANCHOR_INVALID',
        `The audit log anchor names entry ${anchoredSeq}, but the log goes on to entry ${lastSeq}${found}, so the anchor file was replaced by an older copy.${next}`,
      );
    default:
      return new CoreError(
        'AUDIT_ANCHOR_INVALID',
        `The audit log anchor was altered or unreadable${found}.${next}`,
      );
  }
}

/** Builds the error for an `audit-anchor-mismatch` entry that an earlier append wrote. */
function recordedMismatch(entry: AuditEntry): CoreError {
  const details = JSON.parse(entry.details) as AuditDetails;
  return mismatchError(
    details.reason as AnchorState,
    Number(details.anchoredSeq),
    Number(details.lastSeq),
    entry.seq,
  );
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
