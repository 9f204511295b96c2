// Instruction bytes, PIN references and point encodings of the OpenPGP card commands
// (OpenPGP card specification 3.4), shared by the card client's operations.
import { HardwareTokenError } from '../errors.ts';

/** RID and PIX prefix of the OpenPGP application. */
export const OPENPGP_AID = Uint8Array.from([0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]);

/** PIN reference of a VERIFY: PW1 for signing (P2 81), PW1 for other use (82), PW3 (83). */
export type PinPurpose = 'user-signing' | 'user' | 'admin';

export const VERIFY_P2: Record<PinPurpose, number> = {
  'user-signing': 0x81,
  user: 0x82,
  admin: 0x83,
};
/** Minimum PIN lengths of the OpenPGP card specification: 6 characters for PW1, 8 for PW3. */
export const MIN_PIN_LENGTH = { user: 6, admin: 8 } as const;

export const INS = {
  select: 0xa4,
  getData: 0xca,
  putData: 0xda,
  putDataOdd: 0xdb,
  verify: 0x20,
  changeReferenceData: 0x24,
  resetRetryCounter: 0x2c,
  performSecurityOperation: 0x2a,
  generateKeyPair: 0x47,
} as const;

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Strips the 0x40 prefix that OpenPGP puts before native Curve25519 points. */
export function nativePoint(point: Uint8Array, label: string): Uint8Array {
  if (point.length === 33 && point[0] === 0x40) return point.slice(1);
  if (point.length === 32) return point.slice();
  throw new HardwareTokenError(
    'CARD_RESPONSE_MALFORMED',
    `Expected a 32-byte Curve25519 ${label}, got ${point.length} bytes.`,
  );
}
