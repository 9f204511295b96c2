// RatchetMailError: errors of ratchet mode in core's mail flow, with a stable SCREAMING_SNAKE
// `code`. Failures of the ratchet layer (crypto-core's RatchetError) keep their code, such as
// REPLAY_DETECTED or MESSAGE_KEY_EXPIRED, and get a message that names the stored message.

import { RatchetError } from '@sealpost/crypto-core';

export type RatchetMailErrorCode =
  | 'REPLAY_DETECTED'
  | 'MESSAGE_KEY_EXPIRED'
  | 'RATCHET_SENDER_UNVERIFIED'
  | 'RATCHET_MESSAGE_MALFORMED'
  | 'RATCHET_NOT_ADDRESSED_TO_US'
  | 'RATCHET_SEND_FAILED'
  | 'RATCHET_SESSION_MISSING';

export class RatchetMailError extends Error {
  readonly code: string;

  constructor(code: RatchetMailErrorCode | string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RatchetMailError';
    this.code = code;
  }
}

const KEPT = 'The message is kept as received.';

/** Wraps a RatchetError from reading stored message `id` in an error that names the next step. */
export function explainReceiveFailure(error: unknown, id: number): unknown {
  if (!(error instanceof RatchetError)) return error;
  switch (error.code) {
    case 'REPLAY_DETECTED':
      return new RatchetMailError(
        'REPLAY_DETECTED',
        `Message ${id} is a second copy of a ratchet message that was already read; its message ` +
          `key is used up, so it is rejected as a replay. Read the first copy instead. ${KEPT}`,
        { cause: error },
      );
    case 'MESSAGE_KEY_EXPIRED':
      return new RatchetMailError(
        'MESSAGE_KEY_EXPIRED',
        `The message key of ratchet message ${id} was erased (it waited longer than the ` +
          `skipped-key limit, or its chain was replaced), so it can no longer be decrypted. ` +
          `Ask the sender to send it again. ${KEPT}`,
        { cause: error },
      );
    case 'PREKEY_NOT_FOUND':
    case 'HEADER_DECRYPT_FAILED':
      return new RatchetMailError(
        error.code,
        `Ratchet message ${id} belongs to no session or prekey kept here (${error.message}). ` +
          `Ask the sender to write again; their next message starts a new session. ${KEPT}`,
        { cause: error },
      );
    default:
      return new RatchetMailError(
        error.code,
        `Ratchet message ${id} could not be decrypted: ${error.message} ${KEPT}`,
        { cause: error },
      );
  }
}
