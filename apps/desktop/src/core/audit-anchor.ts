// The anchor of the audit log: the sequence number and hash of its newest entry, kept in
// audit-anchor.json beside the database with an HMAC-SHA256 under the audit key. Comparing it
// with the log shows entries cut off the end, which a valid shorter hash chain hides.
// NOTE: the anchor is a file in the same data folder, so restoring an older copy of the whole
// folder (database and anchor together) stays undetected.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { CoreError } from './errors.ts';

export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';
const ANCHOR_VERSION = 1;
const HASH_HEX_LENGTH = 64;

export interface AuditAnchor {
  /** Sequence number of the newest anchored entry, 1 or more. */
  seq: number;
  /** That entry's chain hash. */
  hash: Uint8Array;
}

interface AnchorFileContents {
  version: typeof ANCHOR_VERSION;
  seq: number;
  hash: string;
  mac: string;
}

/** Returns the path of the anchor file of the data folder `root`. */
export function auditAnchorPath(root: string): string {
  return path.join(root, AUDIT_ANCHOR_FILE);
}

export class AuditAnchorFile {
  constructor(
    readonly file: string,
    /** Returns the HMAC key; this object wipes each copy after use. */
    private readonly key: () => Buffer,
  ) {}

  /** Reads the anchor, or returns null without a file. Raises AUDIT_ANCHOR_INVALID. */
  read(): AuditAnchor | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CoreError(
        'AUDIT_ANCHOR_INVALID',
        `The audit log anchor ${this.file} cannot be read; check its permissions.`,
        { cause: error },
      );
    }

    let contents: Partial<AnchorFileContents>;
    try {
      contents = JSON.parse(text) as Partial<AnchorFileContents>;
    } catch (error) {
      throw invalidAnchor(this.file, 'is not valid JSON', error);
    }
    if (
      contents.version !== ANCHOR_VERSION ||
      !Number.isSafeInteger(contents.seq) ||
      (contents.seq ?? 0) < 1 ||
      typeof contents.hash !== 'string' ||
      !/^[0-9a-f]+$/.test(contents.hash) ||
      contents.hash.length !== HASH_HEX_LENGTH ||
      typeof contents.mac !== 'string'
    ) {
      throw invalidAnchor(this.file, 'has an unknown format');
    }

    const anchor = { seq: contents.seq!, hash: new Uint8Array(Buffer.from(contents.hash, 'hex')) };
    const expected = this.#mac(anchor);
    const stored = Buffer.from(contents.mac, 'hex');
    if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) {
      throw invalidAnchor(
        this.file,
        'fails its HMAC check, so it was changed or copied from another data folder',
      );
    }
    return anchor;
  }

  /**
   * Writes `anchor` to a temporary file, flushes it to disk and renames it over the anchor, so
   * a crash leaves either the old or the new anchor.
   */
  write(anchor: AuditAnchor): void {
    const contents: AnchorFileContents = {
      version: ANCHOR_VERSION,
      seq: anchor.seq,
      hash: Buffer.from(anchor.hash).toString('hex'),
      mac: this.#mac(anchor).toString('hex'),
    };
    const temporary = `${this.file}.${process.pid}.tmp`;
    const descriptor = openSync(temporary, 'w', 0o600);
    try {
      writeSync(descriptor, `${JSON.stringify(contents)}\n`);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, this.file);
  }

  #mac(anchor: AuditAnchor): Buffer {
    const key = this.key();
    try {
      // The first element keeps this input apart from the entry hashes under the same key.
      const canonical = JSON.stringify([
        'sealpost audit anchor v1',
        anchor.seq,
        Buffer.from(anchor.hash).toString('hex'),
      ]);
      return createHmac('sha256', key).update(canonical).digest();
    } finally {
      key.fill(0);
    }
  }
}

function invalidAnchor(file: string, problem: string, cause?: unknown): CoreError {
  return new CoreError(
    'AUDIT_ANCHOR_INVALID',
    `The audit log anchor ${file} ${problem}. Keep a copy of the data folder for inspection.`,
    cause === undefined ? undefined : { cause },
  );
}
