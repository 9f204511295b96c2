// PQXDH-style session start after Signal's PQXDH specification (revision 3, section 3), without
// one-time prekeys (docs/RATCHET.md section 3). Three X25519 agreements and one ML-KEM-768
// encapsulation to the signed KEM prekey are combined by HKDF-SHA-256 into SK.
import { ByteWriter, concatBytes, wipe } from './bytes.ts';
import type { PrekeyBundle } from './bundle.ts';
import { INFO_SESSION, kdfPqxdh, sha256 } from './kdf.ts';
import type { Preamble } from './message.ts';
import type { PrekeySecret } from './prekeys.ts';
import {
  dh,
  generateDhKeyPair,
  kemDecapsulate,
  kemEncapsulate,
  type DhKeyPair,
} from './primitives.ts';

export interface AgreementResult {
  /** SK; the caller wipes it after deriving the first root and header keys. */
  sharedKey: Uint8Array;
  ad: Uint8Array;
  sessionId: Uint8Array;
}

/** Deterministic inputs for known-answer tests; never set in production. */
export interface PqxdhTestInputs {
  ephemeralSecret?: Uint8Array;
  kemMessage?: Uint8Array;
}

/** EncodeEC(IK_A) || EncodeEC(IK_B) with the curve25519 type byte 0x05. */
export function associatedData(initiatorKey: Uint8Array, responderKey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x05), initiatorKey, Uint8Array.of(0x05), responderKey);
}

export function computeSessionId(
  initiatorKey: Uint8Array,
  ephemeralKey: Uint8Array,
  responderKey: Uint8Array,
  prekeyId: number,
): Uint8Array {
  const input = new ByteWriter()
    .bytes(INFO_SESSION)
    .bytes(initiatorKey)
    .bytes(ephemeralKey)
    .bytes(responderKey)
    .u32(prekeyId)
    .finish();
  return sha256(input).slice(0, 16);
}

/** Alice's side: agreement with Bob's verified bundle; returns SK and the preamble to send. */
export function pqxdhInitiate(
  identity: DhKeyPair,
  bundle: PrekeyBundle,
  testInputs: PqxdhTestInputs = {},
): AgreementResult & { preamble: Preamble } {
  const ephemeral = generateDhKeyPair(testInputs.ephemeralSecret);
  const dh1 = dh(identity.secretKey, bundle.signedPrekey, 'PREKEY_BUNDLE_INVALID');
  const dh2 = dh(ephemeral.secretKey, bundle.identityKey, 'PREKEY_BUNDLE_INVALID');
  const dh3 = dh(ephemeral.secretKey, bundle.signedPrekey, 'PREKEY_BUNDLE_INVALID');
  const { cipherText, sharedSecret } = kemEncapsulate(bundle.kemPrekey, testInputs.kemMessage);
  try {
    return {
      sharedKey: kdfPqxdh(dh1, dh2, dh3, sharedSecret),
      ad: associatedData(identity.publicKey, bundle.identityKey),
      sessionId: computeSessionId(
        identity.publicKey,
        ephemeral.publicKey,
        bundle.identityKey,
        bundle.prekeyId,
      ),
      preamble: {
        initiatorIdentityKey: identity.publicKey.slice(),
        ephemeralKey: ephemeral.publicKey,
        prekeyId: bundle.prekeyId,
        kemCiphertext: cipherText,
      },
    };
  } finally {
    wipe(ephemeral.secretKey, dh1, dh2, dh3, sharedSecret);
  }
}

/** Bob's side: the same SK from the preamble of Alice's first message. */
export function pqxdhRespond(
  identity: DhKeyPair,
  prekey: PrekeySecret,
  preamble: Preamble,
): AgreementResult {
  const dh1 = dh(prekey.signedPrekey.secretKey, preamble.initiatorIdentityKey);
  const dh2 = dh(identity.secretKey, preamble.ephemeralKey);
  const dh3 = dh(prekey.signedPrekey.secretKey, preamble.ephemeralKey);
  const sharedSecret = kemDecapsulate(preamble.kemCiphertext, prekey.kemPrekey.secretKey);
  try {
    return {
      sharedKey: kdfPqxdh(dh1, dh2, dh3, sharedSecret),
      ad: associatedData(preamble.initiatorIdentityKey, identity.publicKey),
      sessionId: computeSessionId(
        preamble.initiatorIdentityKey,
        preamble.ephemeralKey,
        identity.publicKey,
        preamble.prekeyId,
      ),
    };
  } finally {
    wipe(dh1, dh2, dh3, sharedSecret);
  }
}
