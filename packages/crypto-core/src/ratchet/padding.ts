// Padding of the inner payload to size buckets before encryption (docs/RATCHET.md section 5.1):
// powers of two from 1 KiB up to 1 MiB, then multiples of 1 MiB, so the ciphertext size reveals
// only the bucket. Framing: 4-byte length || payload || zero fill.
import { RatchetError } from './errors.ts';

export const MIN_BUCKET = 1024;
export const POWER_OF_TWO_LIMIT = 1024 * 1024;
export const MAX_PAYLOAD_LENGTH = 64 * 1024 * 1024;

/** Returns the padded size for a payload of `payloadLength` bytes (framing included). */
export function paddedLength(payloadLength: number): number {
  const framed = payloadLength + 4;
  if (framed <= POWER_OF_TWO_LIMIT) {
    let bucket = MIN_BUCKET;
    while (bucket < framed) bucket *= 2;
    return bucket;
  }
  return Math.ceil(framed / POWER_OF_TWO_LIMIT) * POWER_OF_TWO_LIMIT;
}

export function pad(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new RatchetError(
      'INVALID_ARGUMENT',
      `The payload has ${payload.length} bytes; ratchet mode carries at most ${MAX_PAYLOAD_LENGTH}. ` +
        'Send it as an OpenPGP message instead.',
    );
  }
  const out = new Uint8Array(paddedLength(payload.length));
  new DataView(out.buffer).setUint32(0, payload.length);
  out.set(payload, 4);
  return out;
}

/** Returns a copy of the payload; rejects a length beyond the buffer or a non-zero fill byte. */
export function unpad(padded: Uint8Array): Uint8Array {
  if (padded.length < 4) {
    throw new RatchetError(
      'MESSAGE_MALFORMED',
      'The padded payload is shorter than its length field.',
    );
  }
  const length = new DataView(padded.buffer, padded.byteOffset, 4).getUint32(0);
  if (length > padded.length - 4) {
    throw new RatchetError(
      'MESSAGE_MALFORMED',
      `The padded payload claims ${length} bytes but holds ${padded.length - 4}.`,
    );
  }
  let fill = 0;
  for (let i = 4 + length; i < padded.length; i++) fill |= padded[i] as number;
  if (fill !== 0) {
    throw new RatchetError(
      'MESSAGE_MALFORMED',
      'The padding of the payload contains non-zero bytes.',
    );
  }
  return padded.slice(4, 4 + length);
}
