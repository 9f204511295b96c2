// Ratchet header and its encryption (Double Ratchet revision 4, section 4: HENCRYPT/HDECRYPT),
// extended with the sender's ML-KEM-768 key and the chain's KEM ciphertext (docs/RATCHET.md
// section 4.4). Header keys encrypt many headers, so each gets a random nonce.
import { ByteReader, ByteWriter, concatBytes } from './bytes.ts';
import {
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  KEM_CIPHERTEXT_LENGTH,
  KEM_PUBLIC_KEY_LENGTH,
  X25519_KEY_LENGTH,
  aeadOpen,
  aeadSeal,
  randomNonce,
} from './primitives.ts';

export interface RatchetHeader {
  /** The sender's current ratchet public key (DHs). */
  dh: Uint8Array;
  /** The sender's current ML-KEM-768 encapsulation key, paired with `dh`. */
  kemPublicKey: Uint8Array;
  /** The encapsulation that started this sending chain, to the receiver's KEM key. */
  kemCiphertext: Uint8Array;
  /** Number of messages in the sender's previous sending chain. */
  pn: number;
  /** Number of this message in its chain. */
  n: number;
}

export const HEADER_LENGTH = X25519_KEY_LENGTH + KEM_PUBLIC_KEY_LENGTH + KEM_CIPHERTEXT_LENGTH + 8;
export const ENCRYPTED_HEADER_LENGTH = GCM_NONCE_LENGTH + HEADER_LENGTH + GCM_TAG_LENGTH;

export function encodeHeader(header: RatchetHeader): Uint8Array {
  return new ByteWriter()
    .bytes(header.dh)
    .bytes(header.kemPublicKey)
    .bytes(header.kemCiphertext)
    .u32(header.pn)
    .u32(header.n)
    .finish();
}

export function decodeHeader(bytes: Uint8Array): RatchetHeader {
  const reader = new ByteReader(bytes, 'ratchet header');
  const header = {
    dh: reader.bytes(X25519_KEY_LENGTH, 'dh'),
    kemPublicKey: reader.bytes(KEM_PUBLIC_KEY_LENGTH, 'kemPublicKey'),
    kemCiphertext: reader.bytes(KEM_CIPHERTEXT_LENGTH, 'kemCiphertext'),
    pn: reader.u32('pn'),
    n: reader.u32('n'),
  };
  reader.expectEnd();
  return header;
}

/** HENCRYPT: nonce || AES-256-GCM(headerKey, nonce, header, aad). */
export function encryptHeader(
  headerKey: Uint8Array,
  header: RatchetHeader,
  aad: Uint8Array,
): Uint8Array {
  const nonce = randomNonce();
  return concatBytes(nonce, aeadSeal(headerKey, nonce, encodeHeader(header), aad));
}

/** HDECRYPT: the header, or null when `headerKey` does not open it. */
export function decryptHeader(
  headerKey: Uint8Array,
  encryptedHeader: Uint8Array,
  aad: Uint8Array,
): RatchetHeader | null {
  if (encryptedHeader.length !== ENCRYPTED_HEADER_LENGTH) return null;
  const nonce = encryptedHeader.subarray(0, GCM_NONCE_LENGTH);
  const plaintext = aeadOpen(headerKey, nonce, encryptedHeader.subarray(GCM_NONCE_LENGTH), aad);
  return plaintext === null ? null : decodeHeader(plaintext);
}
