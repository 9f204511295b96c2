// Reports an interrupted `sealpost sync` (Ctrl-C, SIGINT) in one line. Sync stores each fetched
// batch in its own transaction, and an outbox message leaves the outbox only once sent, so what
// was stored stays and the next sync continues from there.

import type { Sealpost } from '../core/sealpost.ts';
import { SIGINT_EXIT_STATUS } from './interrupted-send.ts';

export const INTERRUPTED_SYNC_NOTE =
  'Interrupted: the mail fetched before the interruption is stored, and unsent messages stay in the outbox; the next "sealpost sync" continues from there.';

/** Runs `sync` with a SIGINT handler that prints INTERRUPTED_SYNC_NOTE and exits with status 130. */
export async function withSyncInterruptReport<T>(
  sealpost: Sealpost,
  sync: () => Promise<T>,
): Promise<T> {
  const onInterrupt = (): void => {
    try {
      process.stderr.write(`${INTERRUPTED_SYNC_NOTE}\n`);
      sealpost.close();
    } finally {
      process.exit(SIGINT_EXIT_STATUS);
    }
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await sync();
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
