// The PGP/MIME signed message of RFC 3156 section 5: multipart/signed whose first part is the
// signed entity, byte for byte as signed, and whose second part is the detached signature.
// The signed entity must be 7-bit with CRLF line breaks and no trailing whitespace, because
// any MTA rewrite of those bytes would break the signature.

import { armoredFilePart, checkArmor, joinOuterMultipart } from './openpgp-multipart.ts';
import { outerHeaderLines } from './outer-message.ts';
import { isSevenBit, latin1String, toCanonicalCrlf } from '../mime/bytes.ts';
import { assertArgument } from '../transport-error.ts';
import type { AutocryptHeaderFields, MessageHeaderFields } from '../types.ts';

const PREAMBLE = 'This is an OpenPGP/MIME signed message (RFC 4880 and 3156)';

/** micalg values of RFC 3156 section 5 and the hash algorithms of RFC 9580 section 9.5. */
export const MICALGS = [
  'pgp-sha256',
  'pgp-sha384',
  'pgp-sha512',
  'pgp-sha224',
  'pgp-sha3-256',
  'pgp-sha3-512',
  'pgp-sha1',
] as const;
export type Micalg = (typeof MICALGS)[number];

export interface SignedMessageInput {
  /** Outer header fields, the real Subject included: a signed-only message hides nothing. */
  headers: MessageHeaderFields;
  /** The entity that was signed. The signature covers buildSignedPart(signedEntity). */
  signedEntity: Uint8Array;
  /** ASCII-armored detached OpenPGP signature over signedEntity. */
  armoredSignature: string;
  micalg: Micalg;
  autocrypt?: AutocryptHeaderFields;
}

/**
 * Returns the bytes to sign for a multipart/signed message: `entity` (usually from
 * buildInnerEntity with protection 'signed') with CRLF line breaks. Raises INVALID_ARGUMENT
 * when the entity has 8-bit bytes or a line that ends in whitespace.
 */
export function buildSignedPart(entity: Uint8Array): Uint8Array {
  assertArgument(
    entity instanceof Uint8Array && entity.length > 0,
    'entity must be a non-empty Uint8Array',
  );
  const canonical = toCanonicalCrlf(entity);
  assertArgument(
    isSevenBit(canonical),
    'entity contains 8-bit bytes: encode its parts as quoted-printable or base64 before signing (RFC 3156 section 5)',
  );

  const text = latin1String(canonical);
  const lineWithTrailingSpace = text.split('\r\n').findIndex((line) => /[ \t]$/.test(line));
  assertArgument(
    lineWithTrailingSpace === -1,
    `entity line ${lineWithTrailingSpace + 1} ends in whitespace, which MTAs may strip: encode it as quoted-printable`,
  );
  return canonical;
}

/** Alias of buildSignedPart. */
export const signedPartBytes = buildSignedPart;

/** Builds the complete multipart/signed message, CRLF line breaks, ready for SMTP. */
export function buildSignedMessage(input: SignedMessageInput): Uint8Array {
  assertArgument(
    typeof input === 'object' && input !== null,
    'buildSignedMessage input must be an object',
  );
  assertArgument(
    (MICALGS as ReadonlyArray<string>).includes(input.micalg),
    `micalg ${JSON.stringify(input.micalg)} is invalid: use one of ${MICALGS.join(', ')}`,
  );
  // buildSignedPart is deterministic, so these are the bytes the caller signed.
  const signedEntity = buildSignedPart(input.signedEntity);
  const signature = checkArmor(input.armoredSignature, 'armoredSignature', 'PGP SIGNATURE');

  const { lines } = outerHeaderLines(input.headers, { kind: 'real' }, input.autocrypt);

  const signaturePart = armoredFilePart({
    contentType: 'application/pgp-signature',
    fileName: 'signature.asc',
    description: 'OpenPGP digital signature',
    disposition: 'attachment',
    armored: signature,
  });
  return joinOuterMultipart(
    lines,
    'multipart/signed',
    { micalg: input.micalg, protocol: 'application/pgp-signature' },
    [signedEntity, signaturePart],
    PREAMBLE,
  );
}
