// One tab-separated line per message for `sealpost list` and `sealpost search`: id, date, read
// state, encryption, sender and subject, with the same words in both. Sender and subject come
// from the message, so they are escaped and shortened for the terminal.

import { terminalLine, truncateForDisplay } from './terminal-text.ts';

/** The fields of a list row or search hit that a row shows. */
export interface MessageRowFields {
  id: number;
  date: string | null;
  from: string | null;
  subject: string | null;
  /** True when `subject` comes from a successful read, so encrypted mail may show it. */
  subjectRead?: boolean;
  mode: 'openpgp' | 'ratchet' | null;
  unread: boolean;
  flagged: boolean;
  decryptionFailed?: boolean;
}

const ENCRYPTION_WORDS = {
  openpgp: 'encrypted (OpenPGP)',
  ratchet: 'encrypted (ratchet)',
  plain: 'plain',
  unreadable: 'UNREADABLE',
} as const;

const ENCRYPTION_WIDTH = Math.max(...Object.values(ENCRYPTION_WORDS).map((word) => word.length));

/** The widest read state, "unread flagged"; shorter ones are padded to it. */
const READ_STATE_WIDTH = 'unread flagged'.length;

/** Returns "unread" or "read", followed by "flagged" for \Flagged mail. */
export function readStateWords(message: Pick<MessageRowFields, 'unread' | 'flagged'>): string {
  const state = message.unread ? 'unread' : 'read';
  return (message.flagged ? `${state} flagged` : state).padEnd(READ_STATE_WIDTH);
}

/** Returns the encryption column: the mode of encrypted mail, "plain", or "UNREADABLE". */
export function encryptionWords(message: MessageRowFields): string {
  const word = message.decryptionFailed
    ? ENCRYPTION_WORDS.unreadable
    : ENCRYPTION_WORDS[message.mode ?? 'plain'];
  return word.padEnd(ENCRYPTION_WIDTH);
}

/**
 * Returns the row's columns: id, date, the `extra` columns (such as the folder), read state,
 * encryption, sender and subject. Encrypted mail that was never read shows a hint in place of
 * its "[...]" subject.
 */
export function messageRow(message: MessageRowFields, extra: string[] = []): string {
  const subject =
    message.mode !== null && message.subjectRead !== true
      ? '(encrypted subject; use "sealpost read")'
      : truncateForDisplay(terminalLine(message.subject ?? '(no subject)'));
  const from = truncateForDisplay(terminalLine(message.from)) || '-';
  return [
    String(message.id),
    message.date ?? '-',
    ...extra.map((column) => truncateForDisplay(terminalLine(column))),
    readStateWords(message),
    encryptionWords(message),
    from,
    subject,
  ].join('\t');
}
