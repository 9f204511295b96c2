// Classifier for received messages: PGP/MIME encrypted (RFC 3156 section 4, including the
// form that Microsoft Exchange mangles into multipart/mixed), PGP/MIME signed (section 5),
// inline PGP and plain. Detection uses structure and media types, never file names. The caller
// keeps `raw` as received, and no returned byte array shares memory with it.

import { decodeTextBody, decodeTransferEncoding, readDisposition } from './body-decoding.ts';
import { readCleartextSigned, type CleartextSignedParts } from './cleartext-signed.ts';
import { fieldValues } from './header-section.ts';
import { findInlinePgp } from './inline-pgp.ts';
import { readMessageHeaders, type ParsedHeaders } from './message-headers.ts';
import { parseMimeTree, type MimeNode } from './mime-tree.ts';
import { readEntity, type ParsedEntity } from './parse-entity.ts';
import { checkArmorSize, resolveParseLimits, type ParseLimits } from './parse-limits.ts';
import { findPgpMimeCiphertext, readCiphertext } from './pgp-mime-detection.ts';
import { readSignedParts, type SignedParts } from './signed-parts.ts';

export type MessageKind =
  'pgp-mime-encrypted' | 'pgp-mime-signed' | 'inline-pgp-encrypted' | 'inline-pgp-signed' | 'plain';

export interface ParsedMessage {
  headers: ParsedHeaders;
  /** Unfolded values of every Autocrypt header, for parseAutocryptHeaders. */
  autocryptHeaders: string[];
  kind: MessageKind;
  encrypted?: { armoredCiphertext: string };
  /** The content of a signed message is parseEntity(signed.signedBytes), once the signature checks. */
  signed?: SignedParts;
  /**
   * The armored block of inline PGP, decoded with `charset`. For a signed block, `cleartext`
   * holds the signed bytes in the original charset, which the signature is verified over.
   */
  inline?: { armored: string; charset: string; cleartext?: CleartextSignedParts };
  /** Present for plain messages only. */
  body?: ParsedEntity;
}

/**
 * Parses a received message. Raises MIME_MALFORMED for input that is not a mail message and
 * MESSAGE_TOO_LARGE when a limit of `limits` (defaults: DEFAULT_PARSE_LIMITS) is exceeded.
 */
export function parseMessage(raw: Uint8Array, limits?: Partial<ParseLimits>): ParsedMessage {
  const resolved = resolveParseLimits(limits);
  const root = parseMimeTree(raw, resolved);
  const base = {
    headers: readMessageHeaders(root.fields),
    autocryptHeaders: fieldValues(root.fields, 'autocrypt'),
  };

  const ciphertextPart = findPgpMimeCiphertext(raw, root);
  if (ciphertextPart) {
    return {
      ...base,
      kind: 'pgp-mime-encrypted',
      encrypted: { armoredCiphertext: readCiphertext(raw, ciphertextPart, resolved) },
    };
  }

  if (
    root.mediaType === 'multipart/signed' &&
    root.parameters['protocol']?.toLowerCase() === 'application/pgp-signature'
  ) {
    return { ...base, kind: 'pgp-mime-signed', signed: readSignedParts(raw, root) };
  }

  const textPart = findFirstTextPart(root);
  if (textPart) {
    const { text, charset } = decodeTextBody(raw, textPart);
    const block = findInlinePgp(text);
    if (block) {
      checkArmorSize(block.armored.length, resolved, 'inline PGP block');
      if (block.kind === 'encrypted') {
        return {
          ...base,
          kind: 'inline-pgp-encrypted',
          inline: { armored: block.armored, charset },
        };
      }
      const cleartext = readCleartextSigned(decodeTransferEncoding(raw, textPart));
      return {
        ...base,
        kind: 'inline-pgp-signed',
        inline: { armored: block.armored, charset, ...(cleartext ? { cleartext } : {}) },
      };
    }
  }

  return { ...base, kind: 'plain', body: readEntity(raw, root, 'message') };
}
/** Finds the first text/plain leaf that is not an attachment, in document order. */
function findFirstTextPart(node: MimeNode): MimeNode | null {
  if (node.mediaType === 'text/plain')
    return readDisposition(node).type === 'attachment' ? null : node;
  if (!node.mediaType.startsWith('multipart/')) return null;
  for (const child of node.children) {
    const found = findFirstTextPart(child);
    if (found) return found;
  }
  return null;
}
