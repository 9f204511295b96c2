// PGP/MIME encrypted message detection (RFC 3156 section 4) by structure and media type, never
// by file name: the standard multipart/encrypted form, and the "mixed-up" multipart/mixed form
// that Exchange, Office 365 and Gmail make of it. Only the message root is considered, so an
// encrypted part among other parts (the EFAIL direct exfiltration shape) is never decrypted.

import { decodeTransferEncoding } from './body-decoding.ts';
import type { MimeNode } from './mime-tree.ts';
import { checkArmorSize, type ParseLimits } from './parse-limits.ts';
import { latin1String } from '../mime/bytes.ts';
import { TransportError } from '../transport-error.ts';

/** The body of the application/pgp-encrypted control part (RFC 3156 section 4). */
const VERSION_LINE = /^\s*Version:\s*1\s*$/m;

/** Returns the ciphertext part of a PGP/MIME encrypted message, or null when it is not one. */
export function findPgpMimeCiphertext(source: Uint8Array, root: MimeNode): MimeNode | null {
  if (root.mediaType === 'multipart/encrypted') return standardCiphertext(root);
  if (root.mediaType === 'multipart/mixed') return mixedUpCiphertext(source, root);
  return null;
}

function standardCiphertext(root: MimeNode): MimeNode | null {
  if (root.parameters['protocol']?.trim().toLowerCase() !== 'application/pgp-encrypted') {
    return null;
  }
  const [control, ciphertext] = root.children;
  if (
    root.children.length !== 2 ||
    control?.mediaType !== 'application/pgp-encrypted' ||
    !ciphertext ||
    ciphertext.mediaType.startsWith('multipart/')
  ) {
    throw new TransportError(
      'MIME_MALFORMED',
      'multipart/encrypted must hold an application/pgp-encrypted part and then the ciphertext part (RFC 3156 section 4)',
    );
  }
  return ciphertext;
}

/**
 * Exchange and Office 365 rewrite PGP/MIME into multipart/mixed: an optional empty text/plain
 * part, then the two original parts as attachments, possibly base64-encoded and renamed.
 * Thunderbird repairs this form the same way. Anything else in the multipart is not this form.
 */
function mixedUpCiphertext(source: Uint8Array, root: MimeNode): MimeNode | null {
  let parts = root.children;
  const [first] = parts;
  if (parts.length === 3 && first?.mediaType === 'text/plain' && isBlank(source, first)) {
    parts = parts.slice(1);
  }
  const [control, ciphertext] = parts;
  if (
    parts.length !== 2 ||
    control?.mediaType !== 'application/pgp-encrypted' ||
    ciphertext?.mediaType !== 'application/octet-stream'
  ) {
    return null;
  }
  const version = latin1String(decodeTransferEncoding(source, control));
  return VERSION_LINE.test(version) ? ciphertext : null;
}

function isBlank(source: Uint8Array, node: MimeNode): boolean {
  return latin1String(decodeTransferEncoding(source, node)).trim() === '';
}

/** Returns the ASCII-armored OpenPGP message of a ciphertext part, transfer encoding removed. */
export function readCiphertext(source: Uint8Array, part: MimeNode, limits: ParseLimits): string {
  const decoded = decodeTransferEncoding(source, part);
  checkArmorSize(decoded.length, limits, 'PGP/MIME ciphertext part');
  const armored = latin1String(decoded).trim();
  if (!armored.includes('-----BEGIN PGP MESSAGE-----')) {
    throw new TransportError(
      'MIME_MALFORMED',
      'PGP/MIME ciphertext part holds no ASCII-armored PGP MESSAGE block',
    );
  }
  return armored;
}
