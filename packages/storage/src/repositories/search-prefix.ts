// Expansion of a search's last word, which matches as a prefix, into the FTS5 index terms that
// start with it. FTS5 evaluates a prefix query ("budg"*) by merging the whole doclists of all
// such terms before it returns a row, so a search newest first could not stop after the limit.
// An OR of the terms streams in rowid order like a plain word (BENCHMARKS.md, "Sync and search").
// NOTE: only ASCII letters and digits are expanded, because only their unicode61 folding (to
// lower case) is known here. Other words keep the FTS5 prefix query.

import type { SqliteDatabase } from '../connection.ts';

/** Maximum terms a prefix expands to; with more, the search keeps the FTS5 prefix query. */
export const MAX_PREFIX_TERMS = 32;

/**
 * One row per occurrence of a term, produced lazily, so LIMIT 1 reads the first occurrence of
 * the first term in range. The 'row' kind would count the term's whole doclist first.
 */
const CREATE_VOCABULARY = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocabulary
  USING fts5vocab(main, search_index, instance)`;

/**
 * Returns the index terms that start with `word`, in binary order. Returns an empty list when
 * no term does, and null when the word is not plain ASCII or has more than MAX_PREFIX_TERMS.
 */
export function prefixTerms(db: SqliteDatabase, word: string): string[] | null {
  const prefix = word.toLowerCase();
  if (!/^[a-z0-9]+$/.test(prefix)) return null;

  db.exec(CREATE_VOCABULARY);
  // The first term at or after `from` that does not start with the prefix ends the list.
  // NOTE: FTS5 finds the term after a frequent one by reading past that term's doclist, which
  // took 40 to 160 ms at 100,000 messages when the pages were not cached (BENCHMARKS.md).
  const next = db
    .prepare('SELECT term FROM temp.search_vocabulary WHERE term >= ? LIMIT 1')
    .pluck();
  const terms: string[] = [];
  let from = prefix;
  for (;;) {
    const term = next.get(from) as string | undefined;
    if (term === undefined || !term.startsWith(prefix)) return terms;
    if (terms.length === MAX_PREFIX_TERMS) return null;
    terms.push(term);
    // Terms contain no control characters, so the next term sorts at or after term + U+0001.
    from = `${term}\u0001`;
  }
}
