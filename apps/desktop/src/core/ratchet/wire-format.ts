// The ratchet message on the wire (docs/RATCHET.md, "How mail carries ratchet mode"): an
// ordinary multipart/mixed message with the placeholder Subject, a short text part and one
// `application/x-sealpost-ratchet` part. That part contains the container below: the body,
// encrypted once, and one wrapped content key per recipient, each labelled by a hash of the
// recipient's address. The labels show servers nothing that the To and Cc fields do not.

import { createHash } from 'node:crypto';
import { RatchetMailError } from './ratchet-mail-error.ts';

export const RATCHET_CONTENT_TYPE = 'application/x-sealpost-ratchet';
export const RATCHET_FILENAME = 'encrypted.sealpost';
export const RATCHET_EXPLANATION =
  'This message is end-to-end encrypted with Sealpost ratchet mode. Open it in Sealpost.\r\n';

const MAGIC = Buffer.from('SPRM', 'ascii');
const VERSION = 0x01;
const LABEL_LENGTH = 16;
const MAX_RECIPIENTS = 1000;
const MAX_WRAPPED_KEY_LENGTH = 64 * 1024;

export interface WrappedKeyEntry {
  label: Uint8Array;
  wrappedKey: Uint8Array;
}

export interface RatchetContainer {
  entries: WrappedKeyEntry[];
  encryptedBody: Uint8Array;
}

/** Returns the 16-byte label of `address`: the start of SHA-256("Sealpost_Recipient_v1" || address). */
export function recipientLabel(address: string): Uint8Array {
  const digest = createHash('sha256')
    .update('Sealpost_Recipient_v1')
    .update(address.toLowerCase())
    .digest();
  return new Uint8Array(digest.subarray(0, LABEL_LENGTH));
}

/**
 * Encodes: magic "SPRM" (4), version 0x01 (1), entry count (2), then per entry the label (16),
 * the wrapped key's length (4) and the wrapped key, then the encrypted body to the end.
 */
export function encodeContainer(container: RatchetContainer): Uint8Array {
  const parts: Buffer[] = [MAGIC, Buffer.of(VERSION)];
  const count = Buffer.alloc(2);
  count.writeUInt16BE(container.entries.length);
  parts.push(count);
  for (const entry of container.entries) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(entry.wrappedKey.length);
    parts.push(Buffer.from(entry.label), length, Buffer.from(entry.wrappedKey));
  }
  parts.push(Buffer.from(container.encryptedBody));
  return new Uint8Array(Buffer.concat(parts));
}

export function decodeContainer(bytes: Uint8Array): RatchetContainer {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const malformed = (detail: string) =>
    new RatchetMailError(
      'RATCHET_MESSAGE_MALFORMED',
      `The ${RATCHET_CONTENT_TYPE} part is malformed: ${detail}. The message is kept as received.`,
    );
  if (data.length < 7 || !data.subarray(0, 4).equals(MAGIC)) throw malformed('wrong magic');
  if (data[4] !== VERSION) throw malformed(`version ${data[4]} is not ${VERSION}`);
  const count = data.readUInt16BE(5);
  if (count === 0 || count > MAX_RECIPIENTS) throw malformed(`${count} recipients`);

  let offset = 7;
  const entries: WrappedKeyEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (offset + LABEL_LENGTH + 4 > data.length) throw malformed(`entry ${index} is cut off`);
    const label = new Uint8Array(data.subarray(offset, offset + LABEL_LENGTH));
    const length = data.readUInt32BE(offset + LABEL_LENGTH);
    offset += LABEL_LENGTH + 4;
    if (length === 0 || length > MAX_WRAPPED_KEY_LENGTH || offset + length > data.length) {
      throw malformed(`entry ${index} has an invalid length ${length}`);
    }
    entries.push({ label, wrappedKey: new Uint8Array(data.subarray(offset, offset + length)) });
    offset += length;
  }
  if (offset >= data.length) throw malformed('the encrypted body is missing');
  return { entries, encryptedBody: new Uint8Array(data.subarray(offset)) };
}
