// Extraction of the two parts of a PGP/MIME multipart/signed entity (RFC 3156 section 5): the
// first part exactly as received, with line breaks made CRLF as the signature requires, and
// the armored detached signature. Nothing here checks the signature.

import { decodeTransferEncoding } from './body-decoding.ts';
import type { MimeNode } from './mime-tree.ts';
import { latin1String, toCanonicalCrlf } from '../mime/bytes.ts';
import { TransportError } from '../transport-error.ts';

export interface SignedParts {
  /** The first part of multipart/signed, byte for byte between the delimiters, CRLF line breaks. */
  signedBytes: Uint8Array;
  armoredSignature: string;
  /** The micalg parameter lowercased, e.g. `pgp-sha256`, or null when missing. */
  micalg: string | null;
}

/** Reads a multipart/signed node. Raises MIME_MALFORMED when it is not a PGP/MIME signature. */
export function readSignedParts(source: Uint8Array, node: MimeNode): SignedParts {
  const protocol = node.parameters['protocol']?.trim().toLowerCase();
  if (protocol !== 'application/pgp-signature') {
    throw new TransportError(
      'MIME_MALFORMED',
      `multipart/signed has protocol ${JSON.stringify(node.parameters['protocol'] ?? null)}, expected "application/pgp-signature"`,
    );
  }
  const [signedPart, signaturePart] = node.children;
  if (node.children.length !== 2 || !signedPart || !signaturePart) {
    throw new TransportError(
      'MIME_MALFORMED',
      `multipart/signed has ${node.children.length} parts, expected 2`,
    );
  }
  if (signaturePart.mediaType !== 'application/pgp-signature') {
    throw new TransportError(
      'MIME_MALFORMED',
      `second part of multipart/signed is ${signaturePart.mediaType}, expected application/pgp-signature`,
    );
  }

  const armoredSignature = latin1String(decodeTransferEncoding(source, signaturePart)).trim();
  if (!armoredSignature.includes('-----BEGIN PGP SIGNATURE-----')) {
    throw new TransportError(
      'MIME_MALFORMED',
      'application/pgp-signature part holds no ASCII-armored signature',
    );
  }

  return {
    signedBytes: new Uint8Array(toCanonicalCrlf(source.subarray(signedPart.start, signedPart.end))),
    armoredSignature,
    micalg: node.parameters['micalg']?.trim().toLowerCase() ?? null,
  };
}
