// Decryption of large encrypted mail through crypto-core's streaming API (decryptToSpool), so
// openpgp.js keeps one chunk at a time instead of several copies of the whole message. The
// plaintext waits in an encrypted spool file until the MDC and signatures are checked, and only
// then is read back into memory for MIME parsing. The spool is deleted before this returns.

import { decryptToSpool } from '@sealpost/crypto-core';
import type { DecryptAndVerifyOptions, DecryptionResult } from '@sealpost/crypto-core';

/**
 * Armored messages above this many bytes are decrypted by streaming. Smaller ones go through
 * the buffered decryptAndVerify, whose peak memory is a few times the message size.
 */
export const STREAMING_DECRYPT_MIN_BYTES = 8 * 1024 * 1024;

/** Size of the slices of the armored text handed to the stream. */
const SLICE_BYTES = 1024 * 1024;

/** Returns true when `message` is large enough to be decrypted by streaming. */
export function isLargeMessage(message: DecryptAndVerifyOptions['message']): boolean {
  return message.length > STREAMING_DECRYPT_MIN_BYTES;
}

/**
 * Decrypts and verifies an armored or binary message through an encrypted spool and returns
 * the same result as decryptAndVerify. A failed integrity check raises DECRYPT_FAILED and
 * returns no plaintext.
 */
export async function decryptLargeMessage(
  options: DecryptAndVerifyOptions,
): Promise<DecryptionResult> {
  const { message, ...rest } = options;
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return decryptThroughSpool({
    ...rest,
    message: slices(bytes),
    format: typeof message === 'string' ? 'armored' : 'binary',
  });
}

/**
 * Decrypts and verifies an armored message read from `message` as it arrives, for a message
 * that is too large to hold as a string (a message file). Raises like decryptLargeMessage.
 */
export async function decryptArmoredStream(
  options: Omit<DecryptAndVerifyOptions, 'message'> & { message: AsyncIterable<Uint8Array> },
): Promise<DecryptionResult> {
  return decryptThroughSpool({ ...options, format: 'armored' });
}

async function decryptThroughSpool(
  options: Parameters<typeof decryptToSpool>[0],
): Promise<DecryptionResult> {
  const spool = await decryptToSpool(options);
  try {
    // TODO: parse and save attachments from the spool as streams. This copy makes the peak
    // memory of a read grow with the message size ("Large attachments" in BENCHMARKS.md).
    const data = new Uint8Array(spool.size);
    let offset = 0;
    for await (const part of spool.read()) {
      data.set(part, offset);
      offset += part.length;
    }
    return { data, decryptedWith: spool.decryptedWith, signatures: spool.signatures };
  } finally {
    await spool.dispose();
  }
}

async function* slices(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += SLICE_BYTES) {
    yield bytes.subarray(offset, offset + SLICE_BYTES);
  }
}
