// The pieces that multipart/encrypted and multipart/signed (RFC 3156 sections 4 and 5) share:
// a checked ASCII-armored block, the part that carries it as a named file, and the outer
// multipart whose boundary is chosen after the parts exist, so no part can contain it.

import { CRLF, toCrlfText } from '../mime/bytes.ts';
import {
  formatHeaderField,
  formatParameterizedValue,
  headerSection,
} from '../mime/header-format.ts';
import { createBoundary, joinEntity, joinMultipartBody } from '../mime/multipart.ts';
import { assertArgument } from '../transport-error.ts';

/**
 * Checks an ASCII armor block (RFC 9580 section 6.2) of the given type and returns it with CRLF
 * line breaks and a final CRLF.
 */
export function checkArmor(
  armored: unknown,
  label: string,
  type: 'PGP MESSAGE' | 'PGP SIGNATURE',
): string {
  assertArgument(typeof armored === 'string', `${label} must be a string`);
  const text = toCrlfText(armored.trim()) + CRLF;
  assertArgument(
    /^[\x20-\x7e\r\n\t]*$/.test(text),
    `${label} contains non-ASCII characters: pass the ASCII-armored form`,
  );
  assertArgument(
    text.startsWith(`-----BEGIN ${type}-----`) && text.trimEnd().endsWith(`-----END ${type}-----`),
    `${label} is not an ASCII-armored ${type} block: expected -----BEGIN ${type}----- ... -----END ${type}-----`,
  );
  return text;
}

export interface ArmoredFilePart {
  contentType: string;
  fileName: string;
  description: string;
  disposition: 'inline' | 'attachment';
  /** Output of checkArmor. */
  armored: string;
}

/** The entity that carries an armored block as a named file. */
export function armoredFilePart(part: ArmoredFilePart): Uint8Array {
  return joinEntity(
    headerSection([
      formatHeaderField(
        'Content-Type',
        formatParameterizedValue(part.contentType, { name: part.fileName }),
      ),
      formatHeaderField('Content-Description', part.description),
      formatHeaderField(
        'Content-Disposition',
        formatParameterizedValue(part.disposition, { filename: part.fileName }),
      ),
    ]),
    part.armored,
  );
}

/**
 * Joins the outer header lines (from outerHeaderLines) and the parts into the complete
 * message, adding the multipart Content-Type with `parameters` and a fresh boundary.
 */
export function joinOuterMultipart(
  headerLines: string[],
  contentType: 'multipart/encrypted' | 'multipart/signed',
  parameters: Record<string, string>,
  parts: Uint8Array[],
  preamble: string,
): Uint8Array {
  const boundary = createBoundary(parts);
  const lines = [
    ...headerLines,
    formatHeaderField(
      'Content-Type',
      formatParameterizedValue(contentType, { ...parameters, boundary }),
    ),
  ];
  return joinEntity(headerSection(lines), joinMultipartBody(boundary, parts, preamble));
}
