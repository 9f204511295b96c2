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
  /** The outbox entry that keeps the message, when sending failed after queuing it. */
  readonly outboxId: number | undefined;

  constructor(
    code: RatchetMailErrorCode | string,
    message: string,
    options?: { cause?: unknown; outboxId?: number },
  ) {
    super(message, options);
    this.name = 'RatchetMailError';
    this.code = code;
    this.outboxId = options?.outboxId;
  }
}

const KEPT = 'The message stays stored as received.';

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
      // The ratchet layer's own text requests that the sender write again. That does not help,
      // because a sender keeps using an old session until our next message arrives.
      return new RatchetMailError(
        error.code,
        `Ratchet message ${id} belongs to no session or prekey kept here, ` +
          `${error.code === 'PREKEY_NOT_FOUND' ? 'because its prekey secret was deleted or never ours' : 'because no kept header key opens it'}. ` +
          `Write to the sender first, because your next message starts a new session, or ask ` +
          `them to send it again with \`sealpost send --openpgp\`. ${KEPT}`,
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
