// Shamir k-of-n shares of a backup's recovery code, made and combined by the audited
// `shamir-secret-sharing` package (GF(2^8), one random polynomial per byte). Each share is text
// in RFC 4648 base32 with a split id, the threshold and a SHA-256 checksum, so a typo or a share
// of another split is caught before combining, and a QR code PNG of the same text.

import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import QRCode from 'qrcode';
import { combine, split } from 'shamir-secret-sharing';
import { normalizeRecoveryCode, RECOVERY_CODE_DIGITS } from './backup.ts';
import { CoreError } from './errors.ts';

export const SHARE_PREFIX = 'SEALPOST-SHARE';
const FORMAT_VERSION = 1;
const SPLIT_ID_BYTES = 4;
const CHECKSUM_BYTES = 4;
/** 10^40 < 2^136, so a 40-digit code fits in 17 bytes. */
const SECRET_BYTES = 17;
const HEADER_BYTES = 1 + SPLIT_ID_BYTES + 2;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface ParsedShare {
  splitId: string;
  threshold: number;
  shares: number;
  /** The share as `shamir-secret-sharing` returns it: y values, then the x coordinate. */
  value: Uint8Array;
}

/** Splits a recovery code into `shares` text shares of which any `threshold` restore it. */
export async function splitRecoveryCode(
  recoveryCode: string,
  shares: number,
  threshold: number,
): Promise<string[]> {
  if (
    !Number.isInteger(shares) ||
    !Number.isInteger(threshold) ||
    threshold < 2 ||
    shares > 255 ||
    threshold > shares
  ) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `--shares ${shares} --threshold ${threshold} is not a valid split; use 2 <= threshold <= shares <= 255, for example --shares 5 --threshold 3.`,
    );
  }
  const secret = codeToBytes(normalizeRecoveryCode(recoveryCode));
  const splitId = randomBytes(SPLIT_ID_BYTES);
  try {
    const values = await split(secret, shares, threshold);
    return values.map((value) => encodeShare(splitId, threshold, shares, value));
  } finally {
    secret.fill(0);
  }
}

/**
 * Combines text shares into the recovery code. Raises SHARES_INVALID for a share with a wrong
 * checksum, shares of different splits or a repeated share, and SHARES_INSUFFICIENT for fewer
 * shares than the split's threshold.
 */
export async function combineShares(texts: readonly string[]): Promise<string> {
  const parsed = texts.map((text, index) => parseShare(text, index + 1));
  const first = parsed[0];
  if (!first) {
    throw new CoreError(
      'SHARES_INSUFFICIENT',
      'No share was given. Pass the share files, one per --share option.',
    );
  }
  for (const [index, share] of parsed.entries()) {
    if (share.splitId !== first.splitId) {
      throw new CoreError(
        'SHARES_INVALID',
        `Share ${index + 1} belongs to split ${share.splitId}, but share 1 to split ${first.splitId}; use shares printed by one "key export --backup --shares" run.`,
      );
    }
  }
  const coordinates = parsed.map((share) => share.value.at(-1));
  for (const [index, coordinate] of coordinates.entries()) {
    const earlier = coordinates.indexOf(coordinate);
    if (earlier !== index) {
      throw new CoreError(
        'SHARES_INVALID',
        `Share ${index + 1} is the same share as share ${earlier + 1}; pass different shares.`,
      );
    }
  }
  if (parsed.length < first.threshold) {
    throw new CoreError(
      'SHARES_INSUFFICIENT',
      `Split ${first.splitId} needs ${first.threshold} of its ${first.shares} shares, but got ${parsed.length}. ` +
        `Pass ${first.threshold - parsed.length} more share file(s) of the same split, one per --share option.`,
    );
  }

  const secret = await combine(parsed.map((share) => share.value));
  try {
    return bytesToCode(secret, first.splitId);
  } finally {
    secret.fill(0);
  }
}

/** Renders a share's text as a QR code PNG (error correction level M). */
export async function shareQrCode(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
}

/** Parses the text of one share. `position` only names the share in errors. */
export function parseShare(text: string, position: number): ParsedShare {
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  const prefix = SHARE_PREFIX.replace(/-/g, '');
  if (!compact.startsWith(prefix)) {
    throw new CoreError(
      'SHARES_INVALID',
      `Share ${position} does not start with ${SHARE_PREFIX}; pass the text of a share file.`,
    );
  }
  const bytes = decodeBase32(compact.slice(prefix.length), position);
  const expectedLength = HEADER_BYTES + SECRET_BYTES + 1 + CHECKSUM_BYTES;
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const checksum = bytes.subarray(bytes.length - CHECKSUM_BYTES);
  if (
    bytes.length !== expectedLength ||
    !equalBytes(checksum, sha256(body).subarray(0, CHECKSUM_BYTES))
  ) {
    throw new CoreError(
      'SHARES_INVALID',
      `Share ${position} fails its checksum, so it has a typo or is incomplete; compare it with the printed share or scan its QR code.`,
    );
  }
  if (body[0] !== FORMAT_VERSION) {
    throw new CoreError(
      'SHARES_INVALID',
      `Share ${position} has unknown format version ${body[0]}.`,
    );
  }
  return {
    splitId: Buffer.from(body.subarray(1, 1 + SPLIT_ID_BYTES)).toString('hex'),
    threshold: body[1 + SPLIT_ID_BYTES]!,
    shares: body[2 + SPLIT_ID_BYTES]!,
    value: Uint8Array.from(body.subarray(HEADER_BYTES)),
  };
}

function encodeShare(
  splitId: Uint8Array,
  threshold: number,
  shares: number,
  value: Uint8Array,
): string {
  const body = new Uint8Array(HEADER_BYTES + value.length);
  body[0] = FORMAT_VERSION;
  body.set(splitId, 1);
  body[1 + SPLIT_ID_BYTES] = threshold;
  body[2 + SPLIT_ID_BYTES] = shares;
  body.set(value, HEADER_BYTES);
  const withChecksum = new Uint8Array(body.length + CHECKSUM_BYTES);
  withChecksum.set(body);
  withChecksum.set(sha256(body).subarray(0, CHECKSUM_BYTES), body.length);
  const groups = encodeBase32(withChecksum).match(/.{1,4}/g) ?? [];
  return `${SHARE_PREFIX}-${groups.join('-')}`;
}

function codeToBytes(code: string): Uint8Array {
  let value = BigInt(code.replace(/-/g, ''));
  const bytes = new Uint8Array(SECRET_BYTES);
  for (let index = SECRET_BYTES - 1; index >= 0; index -= 1) {
    bytes[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function bytesToCode(bytes: Uint8Array, splitId: string): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const digits = value.toString();
  if (digits.length > RECOVERY_CODE_DIGITS) {
    throw new CoreError(
      'SHARES_INVALID',
      `The shares of split ${splitId} do not combine to a recovery code; one of them was altered.`,
    );
  }
  return normalizeRecoveryCode(digits.padStart(RECOVERY_CODE_DIGITS, '0'));
}

/** RFC 4648 section 6 base32, without padding. */
function encodeBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += BASE32_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) output += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return output;
}

function decodeBase32(text: string, position: number): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of text) {
    const value = BASE32_ALPHABET.indexOf(character);
    if (value === -1) {
      throw new CoreError(
        'SHARES_INVALID',
        `Share ${position} contains "${character}", which is not a base32 character (A-Z, 2-7); check it for a typo.`,
      );
    }
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Uint8Array.from(bytes);
}

function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
