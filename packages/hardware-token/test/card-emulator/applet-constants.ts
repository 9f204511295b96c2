// Data object tags, algorithm attributes and status words that the OpenPGP card emulator uses
// (OpenPGP card specification 3.4 and ISO/IEC 7816-4). Test code only.

export type Slot = 'signature' | 'decryption' | 'authentication';
export const SLOTS: Slot[] = ['signature', 'decryption', 'authentication'];
export const CRT_TO_SLOT = new Map<number, Slot>([
  [0xb6, 'signature'],
  [0xb8, 'decryption'],
  [0xa4, 'authentication'],
]);
export const ATTRIBUTE_TAGS: Record<Slot, number> = {
  signature: 0xc1,
  decryption: 0xc2,
  authentication: 0xc3,
};
export const FINGERPRINT_TAGS: Record<Slot, number> = {
  signature: 0xc7,
  decryption: 0xc8,
  authentication: 0xc9,
};
export const TIME_TAGS: Record<Slot, number> = {
  signature: 0xce,
  decryption: 0xcf,
  authentication: 0xd0,
};

export const ED25519_ATTRIBUTES = Uint8Array.from([
  0x16, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01,
]);
export const X25519_ATTRIBUTES = Uint8Array.from([
  0x12, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01,
]);
/** RSA 2048 with a 32-bit exponent: the factory default of most cards. */
export const RSA2048_ATTRIBUTES = Uint8Array.from([0x01, 0x08, 0x00, 0x00, 0x20, 0x00]);

export const SW = {
  ok: 0x9000,
  securityStatus: 0x6982,
  blocked: 0x6983,
  conditions: 0x6985,
  wrongData: 0x6a80,
  notFound: 0x6a88,
  wrongLength: 0x6700,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
  wrongP1P2: 0x6b00,
  fileNotFound: 0x6a82,
} as const;
