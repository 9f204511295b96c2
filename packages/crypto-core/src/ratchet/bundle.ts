// The prekey bundle (docs/RATCHET.md section 2): its canonical byte encoding, which the
// identity's OpenPGP key signs, and the framing of the signed bundle as the body of an
// `application/x-sealpost-prekey-bundle` MIME part. Signing and verifying live in bundle-signature.ts.
import { ByteReader, ByteWriter } from './bytes.ts';
import { RatchetError } from './errors.ts';
import { KEM_PUBLIC_KEY_LENGTH, X25519_KEY_LENGTH } from './primitives.ts';

export const PREKEY_BUNDLE_CONTENT_TYPE = 'application/x-sealpost-prekey-bundle';

const MAGIC = Uint8Array.of(0x53, 0x50, 0x4b, 0x42); // "SPKB"
const BUNDLE_VERSION = 0x01;
const MAX_SIGNATURE_LENGTH = 16 * 1024;
const MAX_BUNDLE_LENGTH = 4 * 1024;

export interface PrekeyBundle {
  /** Fingerprint of the OpenPGP certificate that signs the bundle (20 or 32 bytes). */
  fingerprint: Uint8Array;
  identityKey: Uint8Array;
  prekeyId: number;
  signedPrekey: Uint8Array;
  kemPrekey: Uint8Array;
  createdAt: number;
  expiresAt: number;
}

export interface SignedPrekeyBundle {
  /** The canonical bytes, exactly as signed. */
  bundleBytes: Uint8Array;
  /** The armored detached OpenPGP signature over `bundleBytes`. */
  signature: string;
}

export function encodeBundle(bundle: PrekeyBundle): Uint8Array {
  checkBundle(bundle);
  return new ByteWriter()
    .bytes(MAGIC)
    .u8(BUNDLE_VERSION)
    .u8(bundle.fingerprint.length)
    .bytes(bundle.fingerprint)
    .bytes(bundle.identityKey)
    .u32(bundle.prekeyId)
    .bytes(bundle.signedPrekey)
    .bytes(bundle.kemPrekey)
    .u64(bundle.createdAt)
    .u64(bundle.expiresAt)
    .finish();
}

export function decodeBundle(bytes: Uint8Array): PrekeyBundle {
  const reader = new ByteReader(bytes, 'prekey bundle', 'PREKEY_BUNDLE_INVALID');
  const magic = reader.bytes(4, 'magic');
  if (!MAGIC.every((byte, index) => magic[index] === byte)) {
    throw new RatchetError('PREKEY_BUNDLE_INVALID', 'The data is not a Sealpost prekey bundle.');
  }
  const version = reader.u8('version');
  if (version !== BUNDLE_VERSION) {
    throw new RatchetError(
      'UNSUPPORTED_VERSION',
      `The prekey bundle has version ${version}; this Sealpost reads version ${BUNDLE_VERSION}.`,
    );
  }
  const fingerprintLength = reader.u8('fingerprint length');
  const bundle: PrekeyBundle = {
    fingerprint: reader.bytes(fingerprintLength, 'fingerprint'),
    identityKey: reader.bytes(X25519_KEY_LENGTH, 'identityKey'),
    prekeyId: reader.u32('prekeyId'),
    signedPrekey: reader.bytes(X25519_KEY_LENGTH, 'signedPrekey'),
    kemPrekey: reader.bytes(KEM_PUBLIC_KEY_LENGTH, 'kemPrekey'),
    createdAt: reader.u64('createdAt'),
    expiresAt: reader.u64('expiresAt'),
  };
  reader.expectEnd();
  checkBundle(bundle);
  return bundle;
}

/** Frames a signed bundle as the MIME part body: length || bundle || length || signature. */
export function encodeSignedBundle(signed: SignedPrekeyBundle): Uint8Array {
  return new ByteWriter()
    .lengthPrefixed(signed.bundleBytes)
    .lengthPrefixed(new TextEncoder().encode(signed.signature))
    .finish();
}

/** Reads the MIME part body; the signature is not checked here (see verifyPrekeyBundle). */
export function decodeSignedBundle(body: Uint8Array): SignedPrekeyBundle {
  if (!(body instanceof Uint8Array)) {
    throw new RatchetError('INVALID_ARGUMENT', 'The prekey bundle part must be a Uint8Array.');
  }
  const reader = new ByteReader(body, 'signed prekey bundle', 'PREKEY_BUNDLE_INVALID');
  const bundleBytes = reader.lengthPrefixed('bundle', MAX_BUNDLE_LENGTH);
  const signatureBytes = reader.lengthPrefixed('signature', MAX_SIGNATURE_LENGTH);
  reader.expectEnd();
  const signature = new TextDecoder('ascii').decode(signatureBytes);
  if (!signature.startsWith('-----BEGIN PGP SIGNATURE-----')) {
    throw new RatchetError(
      'PREKEY_BUNDLE_INVALID',
      'The prekey bundle signature is not an armored OpenPGP signature.',
    );
  }
  return { bundleBytes, signature };
}

function checkBundle(bundle: PrekeyBundle): void {
  const problems: string[] = [];
  if (bundle.fingerprint.length !== 20 && bundle.fingerprint.length !== 32) {
    problems.push(`fingerprint has ${bundle.fingerprint.length} bytes, expected 20 or 32`);
  }
  if (bundle.identityKey.length !== X25519_KEY_LENGTH) problems.push('identityKey is not 32 bytes');
  if (bundle.signedPrekey.length !== X25519_KEY_LENGTH)
    problems.push('signedPrekey is not 32 bytes');
  if (bundle.kemPrekey.length !== KEM_PUBLIC_KEY_LENGTH) {
    problems.push(`kemPrekey is not ${KEM_PUBLIC_KEY_LENGTH} bytes`);
  }
  if (
    !Number.isSafeInteger(bundle.prekeyId) ||
    bundle.prekeyId < 0 ||
    bundle.prekeyId > 0xffffffff
  ) {
    problems.push(`prekeyId ${bundle.prekeyId} is not a 32-bit unsigned integer`);
  }
  if (!(bundle.expiresAt > bundle.createdAt && bundle.createdAt >= 0)) {
    problems.push('expiresAt must be after createdAt');
  }
  if (problems.length > 0) {
    throw new RatchetError(
      'PREKEY_BUNDLE_INVALID',
      `The prekey bundle is invalid: ${problems.join('; ')}.`,
    );
  }
}
