// Reports the outbox entries that a `sealpost sync` tried and could not send. Sync logs a send
// error and carries on with fetching mail, so without this report the error is only in the log
// file and the command looks successful.

import type { OutboxEntry } from '../core/outbox.ts';
import type { Sealpost } from '../core/sealpost.ts';
import { terminalLine } from './terminal-text.ts';

/** Returns the number of send attempts of each outbox entry, taken before a sync. */
export function outboxAttempts(sealpost: Sealpost): Map<number, number> {
  return new Map(sealpost.mail.listOutbox().map((entry) => [entry.id, entry.attempts]));
}

/**
 * Returns one line per outbox entry whose send failed during the sync that followed
 * `attemptsBefore`, with the error and the command that sends it now. An entry counts when its
 * attempt count grew and it is still unsent with an error.
 */
export function unsentOutboxLines(
  sealpost: Sealpost,
  attemptsBefore: ReadonlyMap<number, number>,
): string[] {
  return sealpost.mail
    .listOutbox()
    .filter(
      (entry) =>
        entry.lastError !== null &&
        (entry.state === 'queued' || entry.state === 'failed') &&
        entry.attempts > (attemptsBefore.get(entry.id) ?? 0),
    )
    .map(unsentLine);
}

function unsentLine(entry: OutboxEntry): string {
  const error = terminalLine(entry.lastError ?? '');
  const next =
    entry.state === 'failed'
      ? `it is not retried automatically; after fixing the cause, send it with "sealpost outbox retry ${entry.id}" or delete it with "sealpost outbox discard ${entry.id} --yes".`
      : `it is retried at the next sync, or send it now with "sealpost outbox retry ${entry.id}".`;
  return `Outbox entry ${entry.id} to ${entry.to.join(', ')} was not sent: ${error.replace(/\.?\s*$/, '')}; ${next}`;
}
