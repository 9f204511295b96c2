// Multi-recipient messages (docs/RATCHET.md section 6). The padded body is encrypted once under
// a random content key. Each recipient's ratchet session encrypts that key together with the
// SHA-256 of the encrypted body, so no one can pair a wrapped key with a different body.
import { ByteReader, ByteWriter, bytesEqual, concatBytes, wipe } from './bytes.ts';
import { RatchetError } from './errors.ts';
import { sha256 } from './kdf.ts';
import { pad, unpad } from './padding.ts';
import {
  decryptForPeer,
  encryptWithSession,
  type DecryptForPeerInput,
  type DecryptForPeerResult,
  type StoredSession,
} from './peer-sessions.ts';
import { GCM_NONCE_LENGTH, aeadOpen, aeadSeal, randomKey, randomNonce } from './primitives.ts';

const BODY_MAGIC = Uint8Array.of(0x53, 0x50, 0x43, 0x42); // "SPCB"
const BODY_VERSION = 0x01;
const RECORD_TYPE_CONTENT_KEY = 0x01;
const AD_CONTENT = new TextEncoder().encode('Sealpost_Content_v1');

export interface SealedRecipient {
  sessionId: string;
  /** The session's new state; persist it with the outgoing message in one transaction. */
  state: Uint8Array;
  /** The ratchet message carrying the content key for this recipient. */
  wrappedKey: Uint8Array;
}

export interface SealedMessage {
  encryptedBody: Uint8Array;
  recipients: SealedRecipient[];
}

/** Encrypts `payload` once and wraps its content key in each recipient's session. */
export function sealForRecipients(input: {
  recipients: StoredSession[];
  payload: Uint8Array;
}): SealedMessage {
  if (input.recipients.length === 0) {
    throw new RatchetError('INVALID_ARGUMENT', 'recipients: expected at least one session.');
  }
  const contentKey = randomKey();
  const nonce = randomNonce();
  const padded = pad(input.payload);
  let record: Uint8Array | null = null;
  try {
    const encryptedBody = concatBytes(
      BODY_MAGIC,
      Uint8Array.of(BODY_VERSION),
      nonce,
      aeadSeal(contentKey, nonce, padded, AD_CONTENT),
    );
    record = new ByteWriter()
      .u8(RECORD_TYPE_CONTENT_KEY)
      .bytes(contentKey)
      .bytes(sha256(encryptedBody))
      .finish();
    const recipients = input.recipients.map((recipient) => {
      const sealed = encryptWithSession({
        state: recipient.state,
        plaintext: record as Uint8Array,
      });
      return { sessionId: recipient.sessionId, state: sealed.state, wrappedKey: sealed.message };
    });
    return { encryptedBody, recipients };
  } finally {
    wipe(contentKey, padded, record);
  }
}

/**
 * Decrypts the wrapped key with the peer's sessions, checks the body hash, then decrypts the body.
 * The returned session state must be persisted only after the payload was handled.
 */
export function openSealed(
  input: Omit<DecryptForPeerInput, 'message'> & {
    wrappedKey: Uint8Array;
    encryptedBody: Uint8Array;
  },
): Omit<DecryptForPeerResult, 'plaintext'> & { payload: Uint8Array } {
  const { wrappedKey, encryptedBody, ...rest } = input;
  const result = decryptForPeer({ ...rest, message: wrappedKey });
  const reader = new ByteReader(result.plaintext, 'content key record');
  let contentKey: Uint8Array | null = null;
  try {
    if (reader.u8('type') !== RECORD_TYPE_CONTENT_KEY) {
      throw new RatchetError('MESSAGE_MALFORMED', 'The wrapped key is not a content key record.');
    }
    contentKey = reader.bytes(32, 'contentKey');
    const bodyHash = reader.bytes(32, 'bodyHash');
    reader.expectEnd();
    if (!bytesEqual(bodyHash, sha256(encryptedBody))) {
      throw new RatchetError(
        'DECRYPT_FAILED',
        'The encrypted body does not match the wrapped key: it was swapped or altered.',
      );
    }
    const body = new ByteReader(encryptedBody, 'encrypted body');
    const magic = body.bytes(4, 'magic');
    const version = body.u8('version');
    if (!bytesEqual(magic, BODY_MAGIC) || version !== BODY_VERSION) {
      throw new RatchetError('MESSAGE_MALFORMED', 'The encrypted body has an unknown format.');
    }
    const nonce = body.bytes(GCM_NONCE_LENGTH, 'nonce');
    const padded = aeadOpen(contentKey, nonce, body.rest(), AD_CONTENT);
    if (padded === null) {
      throw new RatchetError('DECRYPT_FAILED', 'The encrypted body failed authentication.');
    }
    try {
      return {
        sessionId: result.sessionId,
        state: result.state,
        created: result.created,
        activeSessionId: result.activeSessionId,
        dropSessionIds: result.dropSessionIds,
        initiatorIdentityKey: result.initiatorIdentityKey,
        payload: unpad(padded),
      };
    } finally {
      wipe(padded);
    }
  } finally {
    wipe(contentKey, result.plaintext);
  }
}
