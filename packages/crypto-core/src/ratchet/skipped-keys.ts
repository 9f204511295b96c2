// Bookkeeping for unordered, lossy mail (docs/RATCHET.md section 4.6): skipped message keys,
// the record of used messages that detects replays, and retired receiving header keys. Every
// list is bounded in count and age; an entry is wiped when it is used, evicted or expired.
import { bytesEqual, wipe } from './bytes.ts';
import { sha256 } from './kdf.ts';
import type { SessionState } from './state.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RatchetLimits {
  /** Maximum number of message keys skipped in one step (MAX_SKIP). */
  maxSkip: number;
  /** Maximum number of skipped keys, used records and retired header keys kept per session. */
  maxSkippedKeys: number;
  /** Age after which skipped keys, used records and retired header keys are erased. */
  maxSkippedAgeMs: number;
}

export const DEFAULT_LIMITS: RatchetLimits = {
  maxSkip: 2000,
  maxSkippedKeys: 2000,
  maxSkippedAgeMs: 30 * DAY_MS,
};

export function headerKeyId(headerKey: Uint8Array): Uint8Array {
  return sha256(headerKey).slice(0, 16);
}

/** Erases every entry older than the age limit. */
export function pruneExpired(state: SessionState, now: number, limits: RatchetLimits): void {
  const oldest = now - limits.maxSkippedAgeMs;
  state.skipped = state.skipped.filter((entry) => {
    if (entry.storedAt >= oldest) return true;
    wipe(entry.headerKey, entry.messageKey);
    return false;
  });
  state.used = state.used.filter((entry) => entry.usedAt >= oldest);
  state.retired = state.retired.filter((entry) => {
    if (entry.retiredAt >= oldest) return true;
    wipe(entry.headerKey);
    return false;
  });
}

/** Stores a skipped key; evicts and wipes the oldest when the count limit is reached. */
export function storeSkippedKey(
  state: SessionState,
  headerKey: Uint8Array,
  n: number,
  messageKey: Uint8Array,
  now: number,
  limits: RatchetLimits,
): void {
  state.skipped.push({ headerKey: headerKey.slice(), n, messageKey, storedAt: now });
  while (state.skipped.length > limits.maxSkippedKeys) {
    const evicted = state.skipped.shift();
    wipe(evicted?.headerKey, evicted?.messageKey);
  }
}

/** Removes and returns the message key stored for (headerKey, n), or null. */
export function takeSkippedKey(
  state: SessionState,
  headerKey: Uint8Array,
  n: number,
): Uint8Array | null {
  const index = state.skipped.findIndex(
    (entry) => entry.n === n && bytesEqual(entry.headerKey, headerKey),
  );
  if (index < 0) return null;
  const [entry] = state.skipped.splice(index, 1);
  wipe(entry?.headerKey);
  return entry?.messageKey ?? null;
}

/** Returns the distinct header keys of the stored skipped keys, for trial header decryption. */
export function skippedHeaderKeys(state: SessionState): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (const entry of state.skipped) {
    if (!keys.some((key) => bytesEqual(key, entry.headerKey))) keys.push(entry.headerKey);
  }
  return keys;
}

export function recordUsed(
  state: SessionState,
  headerKey: Uint8Array,
  n: number,
  now: number,
  limits: RatchetLimits,
): void {
  state.used.push({ headerKeyId: headerKeyId(headerKey), n, usedAt: now });
  while (state.used.length > limits.maxSkippedKeys) state.used.shift();
}

export function wasUsed(state: SessionState, headerKey: Uint8Array, n: number): boolean {
  const id = headerKeyId(headerKey);
  return state.used.some((entry) => entry.n === n && bytesEqual(entry.headerKeyId, id));
}

/** Keeps a finished chain's header key so its late messages get a precise error code. */
export function retireHeaderKey(
  state: SessionState,
  headerKey: Uint8Array,
  now: number,
  limits: RatchetLimits,
): void {
  state.retired.push({ headerKey: headerKey.slice(), retiredAt: now });
  while (state.retired.length > limits.maxSkippedKeys) wipe(state.retired.shift()?.headerKey);
}
