// The outcome of a successful read as list and search rows show it: the Subject the reader
// showed and the one signature status of the row. Under RFC 9788 header protection the
// stored Subject is the protected one, kept inside the store's encryption at rest.
// ReadService stores the signature statuses in the row's result, and recordReadSubject stores
// the Subject.

import type { JsonValue, StoredMessage, Store } from '@sealpost/storage';
import type { ReadListener } from './read.ts';

/** The subject a list row shows, and whether a successful read revealed it. */
export interface ListedSubject {
  /** The Subject of the last successful read, else the outer Subject ("[...]" when protected). */
  subject: string | null;
  /** True when `subject` comes from a successful read, so an encrypted row may show it. */
  subjectRead: boolean;
}

/** Returns the ReadService listener that stores the Subject each successful read showed. */
export function recordReadSubject(store: Store): ReadListener {
  return (result) => store.messages.setReadSubject(result.id, result.subject ?? '');
}

/** Returns the subject a row shows for `message`. A read subject of '' means it has none. */
export function listedSubjectOf(message: StoredMessage): ListedSubject {
  if (message.readSubject === null) return { subject: message.subject, subjectRead: false };
  return { subject: message.readSubject === '' ? null : message.readSubject, subjectRead: true };
}

interface StoredSignatures {
  signatures?: Array<{ status: string; signerMatchesFrom?: boolean }>;
}

/**
 * Returns the one signature status a row shows, or null before a successful read. An invalid
 * signature wins, then a valid one by the From address. `signer-mismatch` is a valid signature
 * by a key of another address, and `unsigned` a message read without any signature.
 */
export function signatureStatusOf(result: JsonValue | null): string | null {
  const signatures = (result as StoredSignatures | null)?.signatures;
  if (!signatures) return null;
  if (signatures.some((signature) => signature.status === 'invalid')) return 'invalid';
  if (signatures.some((signature) => signature.status === 'valid' && signature.signerMatchesFrom))
    return 'valid';
  if (signatures.some((signature) => signature.status === 'valid')) return 'signer-mismatch';
  return signatures[0]?.status ?? 'unsigned';
}
