// The FTS5 rowid of a message's search text, chosen so that rowid order is date order. The
// rowid is (date bucket << SLOT_BITS) + slot. The bucket is the effective date in milliseconds
// (Date header, else INTERNALDATE), clamped so the rowid fits a signed 64-bit integer. So
// `MATCH ... ORDER BY rowid DESC` returns newest first and FTS5 stops after the limit.
// NOTE: messages with the same bucket have rowids in slot order, not id order, so a reader
// sorts each bucket by (date, id) itself. Rowids exceed 2^53 and are handled as BigInt only.

/** Bits of the rowid below the date bucket: up to 2^20 messages share one millisecond. */
export const SLOT_BITS = 20;
const SLOTS = 2 ** SLOT_BITS;

/** Bucket range that keeps bucket * 2^SLOT_BITS + slot within a signed 64-bit integer. */
const MAX_BUCKET = 2 ** (63 - SLOT_BITS) - 1;
const MIN_BUCKET = -(2 ** (63 - SLOT_BITS));

/**
 * Returns the bucket of an effective date in milliseconds since 1970. Dates from about 1691 to
 * 2248 keep their own millisecond. Dates outside that range share the first or last bucket.
 */
export function dateBucket(dateMs: number): number {
  return Math.min(MAX_BUCKET, Math.max(MIN_BUCKET, Math.trunc(dateMs)));
}

/** Returns the rowid of `slot` (0 to 2^SLOT_BITS - 1) in `bucket`. */
export function searchRowid(bucket: number, slot: number): bigint {
  return BigInt(bucket) * BigInt(SLOTS) + BigInt(slot);
}

/** Returns the lowest and highest rowid of a bucket, for a range constraint on the rowid. */
export function bucketRange(bucket: number): { first: bigint; last: bigint } {
  return { first: searchRowid(bucket, 0), last: searchRowid(bucket, SLOTS - 1) };
}

/** Returns true when `rowid` lies in `bucket`. */
export function inBucket(rowid: bigint, bucket: number): boolean {
  const { first, last } = bucketRange(bucket);
  return rowid >= first && rowid <= last;
}

/**
 * Returns the first free rowid in the bucket of `dateMs`, starting at the slot given by the
 * message id and wrapping inside the bucket. `isTaken` reports whether a rowid is in use.
 * Returns null when all 2^SLOT_BITS slots of the bucket are taken.
 */
export function allocateSearchRowid(
  messageId: number,
  dateMs: number,
  isTaken: (rowid: bigint) => boolean,
): bigint | null {
  const bucket = dateBucket(dateMs);
  const start = messageId % SLOTS;
  for (let step = 0; step < SLOTS; step += 1) {
    const rowid = searchRowid(bucket, (start + step) % SLOTS);
    if (!isTaken(rowid)) return rowid;
  }
  return null;
}
