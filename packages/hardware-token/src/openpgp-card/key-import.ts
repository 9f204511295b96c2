// Builds the data field of PUT DATA (odd INS 0xDB, tag 4D "extended header list") that imports
// an elliptic-curve private key into a key slot (OpenPGP card specification 3.4).
// The caller owns `privateKey`; the returned buffer contains a copy and must be wiped after use.
import { concatBytes, encodeTagAndLength, encodeTlv } from '../pcsc/ber-tlv.ts';
import { KEY_SLOT_TAGS, type KeySlot } from './key-slots.ts';

export interface EccKeyImport {
  slot: KeySlot;
  /**
   * The 32-byte secret as the OpenPGP secret-key packet stores it: the Ed25519 seed, or for
   * Curve25519 ECDH the scalar in the packet's big-endian MPI order, which is what GnuPG sends.
   */
  privateKey: Uint8Array;
  /** Native 32-byte public key; sent when the card's attributes request it. */
  publicKey?: Uint8Array;
}

export function buildEccKeyImport(request: EccKeyImport): Uint8Array {
  // The 7F48 template lists only tags and lengths; 5F48 concatenates the values in that order.
  const template = [encodeTagAndLength(0x92, request.privateKey.length)];
  const values = [request.privateKey];
  if (request.publicKey) {
    template.push(encodeTagAndLength(0x99, request.publicKey.length));
    values.push(request.publicKey);
  }
  const keyData = concatBytes(values);
  const body = encodeTlv(0x4d, [
    encodeTlv(KEY_SLOT_TAGS[request.slot].crt, new Uint8Array(0)),
    encodeTlv(0x7f48, concatBytes(template)),
    encodeTlv(0x5f48, keyData),
  ]);
  keyData.fill(0);
  return body;
}
