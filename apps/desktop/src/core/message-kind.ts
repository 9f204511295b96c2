// The encryption mode of a stored message, from the kind stored at sync time and the result
// stored at read time. Ratchet mail is an ordinary multipart/mixed message with one
// application/x-sealpost-ratchet part (docs/RATCHET.md), stored with kind 'ratchet'. Mail stored
// before that kind existed is 'plain' until it is read, and the read result then names it.

import type { ParsedMessage } from '@sealpost/mail-transport';
import { RATCHET_CONTENT_TYPE } from './ratchet/wire-format.ts';

export type EncryptionMode = 'openpgp' | 'ratchet';

/** Returns the mode a stored message is encrypted in, or null for unencrypted mail. */
export function encryptionModeOf(
  kind: string,
  result: { kind?: unknown } | null = null,
): EncryptionMode | null {
  if (kind === 'ratchet' || result?.kind === 'ratchet-encrypted') return 'ratchet';
  if (kind.endsWith('-encrypted')) return 'openpgp';
  return null;
}

/** Returns true when a parsed plain message carries exactly one ratchet part. */
export function isRatchetMessage(parsed: ParsedMessage): boolean {
  if (parsed.kind !== 'plain' || !parsed.body) return false;
  const parts = parsed.body.attachments.filter(
    (attachment) => attachment.contentType.toLowerCase() === RATCHET_CONTENT_TYPE,
  );
  return parts.length === 1;
}
