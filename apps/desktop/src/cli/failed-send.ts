// Names the outbox entry of a `sealpost send` that failed after the message was stored, with the
// commands that show, resend or delete it, so the user does not compose it again.

import type { Sealpost } from '../core/sealpost.ts';

type OutboxEntryState = ReturnType<Sealpost['mail']['lastEnqueuedOutboxEntry']>;

/** Returns the line that names the stored entry and the next command, or null for none. */
export function failedSendNote(entry: OutboxEntryState): string | null {
  if (entry === null) return null;
  switch (entry.state) {
    case 'queued':
    case 'sending':
      return `It is outbox entry ${entry.id}: "sealpost sync" sends it, or send it now with "sealpost outbox retry ${entry.id}".`;
    case 'failed':
      return `It is outbox entry ${entry.id}: send it again with "sealpost outbox retry ${entry.id}" after fixing the cause, or delete it with "sealpost outbox discard ${entry.id} --yes".`;
    case 'sent':
    case 'removed':
      return null;
  }
}

/** Appends the outbox note to the message of `error` when the failed send stored a message. */
export function withFailedSendNote(error: unknown, entry: OutboxEntryState): unknown {
  const note = failedSendNote(entry);
  if (note === null || !(error instanceof Error)) return error;
  error.message = `${error.message.replace(/\s*$/, '')} ${note}`;
  return error;
}
