// Classifier for received messages: PGP/MIME encrypted (RFC 3156 section 4, including the
// form that Microsoft Exchange mangles into multipart/mixed), PGP/MIME signed (section 5),
// inline PGP and plain. Detection uses structure and media types, never file names. The caller
// keeps `raw` as received, and no returned byte array shares memory with it.

import { decodeTextBody, decodeTransferEncoding, readDisposition } from './body-decoding.ts';
import { fieldValues } from './header-section.ts';
import { findInlinePgp } from './inline-pgp.ts';
import { readMessageHeaders, type ParsedHeaders } from './message-headers.ts';
import { parseMimeTree, type MimeNode } from './mime-tree.ts';
import { readEntity, type ParsedEntity } from './parse-entity.ts';
import { readSignedParts, type SignedParts } from './signed-parts.ts';
import { latin1String } from '../mime/bytes.ts';
import { TransportError } from '../transport-error.ts';

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
  inline?: { armored: string; charset: string };
  /** Present for plain messages only. */
  body?: ParsedEntity;
}

/** Parses a received message. Raises MIME_MALFORMED for input that is not a mail message. */
export function parseMessage(raw: Uint8Array): ParsedMessage {
  const root = parseMimeTree(raw);
  const base = {
    headers: readMessageHeaders(root.fields),
    autocryptHeaders: fieldValues(root.fields, 'autocrypt'),
  };

  const ciphertextPart = findPgpMimeCiphertext(root);
  if (ciphertextPart) {
    return {
      ...base,
      kind: 'pgp-mime-encrypted',
      encrypted: { armoredCiphertext: readCiphertext(raw, ciphertextPart) },
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
      const kind = block.kind === 'encrypted' ? 'inline-pgp-encrypted' : 'inline-pgp-signed';
      return { ...base, kind, inline: { armored: block.armored, charset } };
    }
  }

  return { ...base, kind: 'plain', body: readEntity(raw, root, 'message') };
}

/** Returns the ciphertext part of a PGP/MIME encrypted message, or null when it is not one. */
function findPgpMimeCiphertext(root: MimeNode): MimeNode | null {
  const [first, second, third] = root.children;

  if (root.mediaType === 'multipart/encrypted') {
    if (root.parameters['protocol']?.trim().toLowerCase() !== 'application/pgp-encrypted')
      return null;
    if (root.children.length !== 2 || first?.mediaType !== 'application/pgp-encrypted' || !second) {
      throw new TransportError(
        'MIME_MALFORMED',
        'multipart/encrypted must hold an application/pgp-encrypted part and then the ciphertext part (RFC 3156 section 4)',
      );
    }
    return second;
  }

  // Exchange rewrites PGP/MIME into multipart/mixed: an empty text/plain part, then the two
  // original parts. Enigmail and Thunderbird repair this form, so it is read here too.
  if (
    root.mediaType === 'multipart/mixed' &&
    root.children.length === 3 &&
    first?.mediaType === 'text/plain' &&
    first.end - first.bodyStart <= 2 &&
    second?.mediaType === 'application/pgp-encrypted' &&
    third?.mediaType === 'application/octet-stream'
  ) {
    return third;
  }
  return null;
}

function readCiphertext(raw: Uint8Array, part: MimeNode): string {
  const armored = latin1String(decodeTransferEncoding(raw, part)).trim();
  if (!armored.includes('-----BEGIN PGP MESSAGE-----')) {
    throw new TransportError(
      'MIME_MALFORMED',
      'PGP/MIME ciphertext part holds no ASCII-armored PGP MESSAGE block',
    );
  }
  return armored;
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
