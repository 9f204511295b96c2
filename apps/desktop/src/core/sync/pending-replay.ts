// Replays the offline queue of message actions (flags, moves, expunges) on an open IMAP
// session, oldest first, and removes each one the server confirmed. A lost connection stops
// the replay and keeps the rest queued. An action the server rejects is retried on later syncs
// and dropped after MAX_ACTION_ATTEMPTS, with the reason logged.

import type { Logger } from 'pino';
import type { PendingAction, Store } from '@sealpost/storage';
import type { ImapSession } from '@sealpost/mail-transport';
import { errorCode } from '../errors.ts';

/** Rejections tolerated per action: a folder that is missing now may be back after the next sync. */
export const MAX_ACTION_ATTEMPTS = 5;

interface FlagsPayload {
  add: string[];
  remove: string[];
}

interface MovePayload {
  targetPath: string;
}

/** Replays the account's queued actions; returns how many the server confirmed. */
export async function replayPendingActions(
  store: Store,
  session: ImapSession,
  accountId: number,
  log: Logger,
): Promise<number> {
  let confirmed = 0;
  for (const action of store.pendingActions.listByAccount(accountId)) {
    const folder = store.folders.get(action.folderId);
    if (!folder || folder.uidValidity !== action.uidValidity) {
      // The folder was recreated: the UID names no message any more.
      store.pendingActions.remove(action.id);
      log.warn(
        { actionId: action.id, kind: action.kind },
        'dropped an action on a recreated folder',
      );
      continue;
    }
    try {
      await apply(session, folder.path, action);
      store.pendingActions.remove(action.id);
      confirmed += 1;
    } catch (error) {
      if (!session.usable) throw error;
      store.pendingActions.recordFailure(
        action.id,
        `${errorCode(error)}: ${(error as Error).message}`,
      );
      if (action.attempts + 1 >= MAX_ACTION_ATTEMPTS) {
        store.pendingActions.remove(action.id);
        log.error(
          { err: error, actionId: action.id, kind: action.kind, attempts: action.attempts + 1 },
          'the server rejected a message action too often; it was dropped',
        );
      } else {
        log.warn(
          { err: error, actionId: action.id, kind: action.kind },
          'message action rejected; kept for the next sync',
        );
      }
    }
  }
  return confirmed;
}

async function apply(session: ImapSession, path: string, action: PendingAction): Promise<void> {
  switch (action.kind) {
    case 'flags': {
      const payload = action.payload as unknown as FlagsPayload;
      await session.storeFlags(path, [action.uid], payload);
      return;
    }
    case 'move': {
      const payload = action.payload as unknown as MovePayload;
      await session.move(path, [action.uid], payload.targetPath);
      return;
    }
    case 'expunge':
      await session.expunge(path, [action.uid]);
      return;
  }
}
