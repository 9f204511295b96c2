// Reports what happened to a message when the user interrupts `sealpost send` (Ctrl-C, SIGINT).
// The message is either not stored yet, stored in the outbox (sent by the next sync), or
// already accepted by the server, and the user must know which before sending it again.

import type { Sealpost } from '../core/sealpost.ts';

/** Exit status of a process ended by SIGINT, as shells report it (128 + signal 2). */
export const SIGINT_EXIT_STATUS = 130;

/** Describes the state of the message the interrupted send stored, if any, in one line. */
export function interruptedSendNote(
  entry: ReturnType<Sealpost['mail']['lastEnqueuedOutboxEntry']>,
): string {
  if (entry === null) {
    return 'Interrupted: the message was not stored or sent; run the command again to send it.';
  }
  switch (entry.state) {
    case 'queued':
      return `Interrupted: the message is queued in the outbox (entry ${entry.id}) and goes out with the next "sealpost sync"; do not send it again.`;
    case 'sending':
      return `Interrupted while sending: the message is queued in the outbox (entry ${entry.id}) and goes out with the next "sealpost sync"; do not send it again. If the server had already received it, recipients may get it twice.`;
    case 'failed':
      return `Interrupted: sending failed and the message stays in the outbox as failed (entry ${entry.id}).`;
    case 'sent':
    case 'removed':
      // NOTE: a send split into several messages reports only the last one stored, so a
      // message not stored yet at the interruption is not mentioned.
      return 'Interrupted after the server accepted the message: it is sent; do not send it again.';
  }
}

/**
 * Runs `send` with a SIGINT handler that prints the outbox state of the message and exits with
 * status 130. The database writes are synchronous, so the state read in the handler is current.
 */
export async function withInterruptReport<T>(
  sealpost: Sealpost,
  send: () => Promise<T>,
): Promise<T> {
  const onInterrupt = (): void => {
    try {
      process.stderr.write(`${interruptedSendNote(sealpost.mail.lastEnqueuedOutboxEntry())}\n`);
      sealpost.close();
    } finally {
      process.exit(SIGINT_EXIT_STATUS);
    }
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await send();
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
