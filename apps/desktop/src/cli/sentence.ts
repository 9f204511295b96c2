// Ends CLI output lines built from messages of other modules. Some of those messages are whole
// sentences and some are clauses, so a period is added only where no end mark is present.

/** Returns `text` ending in exactly one sentence end mark (".", "!" or "?"). */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
