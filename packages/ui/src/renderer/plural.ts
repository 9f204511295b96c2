// Counted nouns in English UI text: "1 account", "2 accounts", so no label falls back to
// "account(s)".

/** Returns `count` followed by the singular or the plural noun; the plural defaults to +s. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
