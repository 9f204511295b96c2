// The Cleartext Signature Framework (RFC 9580 section 7) read over bytes, so inline PGP in a
// non-UTF-8 charset (ISO-8859-1 sent quoted-printable, say) is verified over the bytes that
// were signed. Returns the signed text made canonical as section 7.2 specifies (dash-escaping
// removed, trailing whitespace stripped, CRLF line breaks, no final line break).

import { latin1String } from '../mime/bytes.ts';

export interface CleartextSignedParts {
  /** The signed text as the signature covers it, in the body's original charset. */
  signedBytes: Uint8Array;
  /** The `-----BEGIN PGP SIGNATURE-----` block. */
  armoredSignature: string;
}

const BEGIN = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIGNATURE_END = '-----END PGP SIGNATURE-----';

/**
 * Reads the first cleartext signed block in transfer-decoded body bytes. Returns null when
 * there is none or it is incomplete (no signature block), so the caller shows it unverified.
 */
export function readCleartextSigned(body: Uint8Array): CleartextSignedParts | null {
  // Latin-1 maps each byte to one character and back, so offsets and bytes survive.
  const lines = latin1String(body).split('\n').map(stripCarriageReturn);

  const begin = lines.findIndex((line) => line.trimEnd() === BEGIN);
  if (begin === -1) return null;

  // Armor headers (Hash: ...) run to the first empty line. The hash is taken from the
  // signature packet, as RFC 9580 section 7.1 allows, so the header values are not used.
  let index = begin + 1;
  while (index < lines.length && lines[index]!.trim() !== '') index++;
  const textStart = index + 1;

  const signatureStart = lines.findIndex(
    (line, at) => at >= textStart && line.trimEnd() === SIGNATURE_BEGIN,
  );
  if (signatureStart === -1) return null;
  const signatureEnd = lines.findIndex(
    (line, at) => at > signatureStart && line.trimEnd() === SIGNATURE_END,
  );
  if (signatureEnd === -1) return null;

  const signedText = lines
    .slice(textStart, signatureStart)
    .map((line) => (line.startsWith('- ') ? line.slice(2) : line).replace(/[ \t]+$/, ''))
    .join('\r\n');

  return {
    signedBytes: new Uint8Array(Buffer.from(signedText, 'latin1')),
    armoredSignature: lines.slice(signatureStart, signatureEnd + 1).join('\r\n'),
  };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
