// Command and response APDUs as defined in ISO/IEC 7816-4, in short form (Lc and Le of one
// byte) and extended form (Lc and Le of two bytes after a zero byte). Also the status words
// that the OpenPGP card application returns.
import { HardwareTokenError } from '../errors.ts';

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length in bytes; 256 (short) or 65536 (extended) requests "all". */
  le?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  /** SW1-SW2 as one 16-bit number, for example 0x9000. */
  sw: number;
}

export const SW_SUCCESS = 0x9000;
export const SW_SECURITY_STATUS_NOT_SATISFIED = 0x6982;
export const SW_AUTHENTICATION_METHOD_BLOCKED = 0x6983;
export const SW_CONDITIONS_OF_USE_NOT_SATISFIED = 0x6985;
export const SW_WRONG_DATA = 0x6a80;
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_REFERENCED_DATA_NOT_FOUND = 0x6a88;
export const SW_WRONG_LENGTH = 0x6700;
export const SW_INS_NOT_SUPPORTED = 0x6d00;
export const SW_CLA_NOT_SUPPORTED = 0x6e00;
export const SW_WRONG_P1_P2 = 0x6b00;
export const SW_INCORRECT_P1_P2 = 0x6a86;
export const SW_LAST_COMMAND_OF_CHAIN_EXPECTED = 0x6883;

/** Maximum data field of a short APDU (ISO/IEC 7816-4). */
export const SHORT_MAX_DATA = 255;
/** Maximum data field of an extended APDU. */
export const EXTENDED_MAX_DATA = 65535;

/** Encodes `command` in the short form, or in the extended form when `extended` is set. */
export function encodeCommandApdu(command: CommandApdu, extended: boolean): Uint8Array {
  const data = command.data ?? new Uint8Array(0);
  const limit = extended ? EXTENDED_MAX_DATA : SHORT_MAX_DATA;
  if (data.length > limit) {
    throw new RangeError(`APDU data of ${data.length} bytes exceeds the ${limit}-byte limit`);
  }
  for (const [name, value] of Object.entries({
    cla: command.cla,
    ins: command.ins,
    p1: command.p1,
    p2: command.p2,
  })) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new RangeError(`APDU ${name} must be a byte, got ${value}`);
    }
  }

  const header = [command.cla, command.ins, command.p1, command.p2];
  const body: number[] = [];
  if (extended) {
    if (data.length > 0) body.push(0, data.length >> 8, data.length & 0xff);
    if (command.le !== undefined) {
      const le = command.le >= 65536 ? 0 : command.le;
      if (data.length === 0) body.push(0);
      body.push(le >> 8, le & 0xff);
    }
  } else {
    if (data.length > 0) body.push(data.length);
    if (command.le !== undefined) body.push(command.le >= 256 ? 0 : command.le);
  }

  const out = new Uint8Array(4 + body.length + data.length);
  out.set(header, 0);
  if (data.length > 0) {
    const lcLength = extended ? 3 : 1;
    out.set(body.slice(0, lcLength), 4);
    out.set(data, 4 + lcLength);
    out.set(body.slice(lcLength), 4 + lcLength + data.length);
  } else {
    out.set(body, 4);
  }
  return out;
}

/** Splits a response APDU into its data field and status word. */
export function parseResponseApdu(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new HardwareTokenError(
      'CARD_RESPONSE_MALFORMED',
      `The card returned a ${bytes.length}-byte response, shorter than a status word. Remove and reinsert the card, then try again.`,
    );
  }
  const end = bytes.length - 2;
  return { data: bytes.slice(0, end), sw: (bytes[end]! << 8) | bytes[end + 1]! };
}

/** Formats a status word as four hex digits, for messages. */
export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
