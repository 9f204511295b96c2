// Parses the --limit option of `list` and `search`, and builds the closing line that states the
// output stopped at that limit, so a cut-off list is not mistaken for all messages.

import { CoreError } from '../core/errors.ts';

/** Largest --limit; the storage layer pages at most this many rows at once. */
export const MAX_RESULT_LIMIT = 10_000;

/** Parses a --limit value, a whole number from 1 to MAX_RESULT_LIMIT. */
export function parseLimit(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_RESULT_LIMIT) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `--limit ${text} is not valid; give a whole number from 1 to ${MAX_RESULT_LIMIT}.`,
    );
  }
  return value;
}

/**
 * Returns the closing line when some account's rows reached `limit` (the limit applies per
 * account), or null when every account returned fewer rows, so nothing was cut off.
 * `noun` is the singular, such as "message", and the plural adds "s".
 */
export function limitReachedNote(
  rows: readonly { account: string }[],
  limit: number,
  noun: string,
): string | null {
  const perAccount = new Map<string, number>();
  for (const row of rows) perAccount.set(row.account, (perAccount.get(row.account) ?? 0) + 1);
  if (![...perAccount.values()].some((count) => count >= limit)) return null;
  const scope = perAccount.size > 1 ? ' per account' : '';
  const counted = limit === 1 ? noun : `${noun}s`;
  return `Showing the first ${limit} ${counted}${scope}; use --limit N for more.`;
}
