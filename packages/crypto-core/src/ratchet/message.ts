// The ratchet message on the wire (docs/RATCHET.md section 5): version, type, the session-start
// preamble in first messages, the encrypted header and the body. Parsing validates every length
// before any key is touched.
import { ByteReader, ByteWriter } from './bytes.ts';
import { RatchetError } from './errors.ts';
import { ENCRYPTED_HEADER_LENGTH } from './header.ts';
import { GCM_TAG_LENGTH, KEM_CIPHERTEXT_LENGTH, X25519_KEY_LENGTH } from './primitives.ts';

export const MESSAGE_VERSION = 0x01;
export const TYPE_NORMAL = 0x01;
export const TYPE_FIRST = 0x02;

/** Session-start data of a first message, from which the responder runs the PQXDH agreement. */
export interface Preamble {
  initiatorIdentityKey: Uint8Array;
  ephemeralKey: Uint8Array;
  prekeyId: number;
  kemCiphertext: Uint8Array;
}

export interface RatchetMessage {
  preamble: Preamble | null;
  encryptedHeader: Uint8Array;
  body: Uint8Array;
}

export const PREAMBLE_LENGTH = 2 * X25519_KEY_LENGTH + 4 + KEM_CIPHERTEXT_LENGTH;

/** Encodes the bytes before the encrypted header, which both AEADs bind as associated data. */
export function encodePrefix(preamble: Preamble | null): Uint8Array {
  const writer = new ByteWriter().u8(MESSAGE_VERSION).u8(preamble ? TYPE_FIRST : TYPE_NORMAL);
  if (preamble) {
    writer
      .bytes(preamble.initiatorIdentityKey)
      .bytes(preamble.ephemeralKey)
      .u32(preamble.prekeyId)
      .bytes(preamble.kemCiphertext);
  }
  return writer.finish();
}

export function encodeMessage(message: RatchetMessage): Uint8Array {
  return new ByteWriter()
    .bytes(encodePrefix(message.preamble))
    .bytes(message.encryptedHeader)
    .bytes(message.body)
    .finish();
}

export function decodeMessage(bytes: Uint8Array): RatchetMessage {
  if (!(bytes instanceof Uint8Array)) {
    throw new RatchetError('INVALID_ARGUMENT', 'The ratchet message must be a Uint8Array.');
  }
  const reader = new ByteReader(bytes, 'ratchet message');
  const version = reader.u8('version');
  if (version !== MESSAGE_VERSION) {
    throw new RatchetError(
      'UNSUPPORTED_VERSION',
      `The ratchet message has version ${version}; this Sealpost reads version ${MESSAGE_VERSION}. ` +
        'Ask the sender to update Sealpost, or to send with OpenPGP.',
    );
  }
  const type = reader.u8('type');
  if (type !== TYPE_NORMAL && type !== TYPE_FIRST) {
    throw new RatchetError('MESSAGE_MALFORMED', `The ratchet message has unknown type ${type}.`);
  }
  const preamble =
    type === TYPE_FIRST
      ? {
          initiatorIdentityKey: reader.bytes(X25519_KEY_LENGTH, 'initiatorIdentityKey'),
          ephemeralKey: reader.bytes(X25519_KEY_LENGTH, 'ephemeralKey'),
          prekeyId: reader.u32('prekeyId'),
          kemCiphertext: reader.bytes(KEM_CIPHERTEXT_LENGTH, 'kemCiphertext'),
        }
      : null;
  const encryptedHeader = reader.bytes(ENCRYPTED_HEADER_LENGTH, 'encryptedHeader');
  const body = reader.rest();
  if (body.length < GCM_TAG_LENGTH) {
    throw new RatchetError(
      'MESSAGE_MALFORMED',
      'The ratchet message body is shorter than its tag.',
    );
  }
  return { preamble, encryptedHeader, body };
}
