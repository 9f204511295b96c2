// Replays the offline queue of message actions (flags, moves, expunges) on an open IMAP
// session, oldest first, and removes each one the server confirmed. A lost connection stops
// the replay and keeps the rest queued. An action the server rejects is retried on later syncs
// and dropped after MAX_ACTION_ATTEMPTS, with the reason logged. A confirmed move gives the
// local copy in the target folder its new UID, so the message keeps its local id.

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
  /** The local id of the moved message; absent from actions queued by older versions. */
  messageId?: number;
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
      await apply(store, session, folder.path, action);
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

async function apply(
  store: Store,
  session: ImapSession,
  path: string,
  action: PendingAction,
): Promise<void> {
  switch (action.kind) {
    case 'flags': {
      const payload = action.payload as unknown as FlagsPayload;
      await session.storeFlags(path, [action.uid], payload);
      return;
    }
    case 'move': {
      const payload = action.payload as unknown as MovePayload;
      const moved = await session.move(path, [action.uid], payload.targetPath);
      if (typeof payload.messageId === 'number') {
        settleMovedCopy(store, action.accountId, payload.messageId, payload.targetPath, {
          uidValidity: moved.uidValidity,
          uid: moved.uidMap.get(action.uid) ?? null,
        });
      }
      return;
    }
    case 'expunge':
      await session.expunge(path, [action.uid]);
      return;
  }
}

/**
 * Gives the local copy of a moved message the UID the server reported in COPYUID (RFC 4315
 * section 3), so it keeps its id. Without one, or when the target folder was recreated, the
 * copy is deleted, and the next sync of the target folder stores the message under a new id.
 */
function settleMovedCopy(
  store: Store,
  accountId: number,
  messageId: number,
  targetPath: string,
  server: { uidValidity: number | null; uid: number | null },
): void {
  const copy = store.messages.get(messageId);
  if (!copy || copy.uid !== null) return;

  const target = store.folders.getByPath(accountId, targetPath);
  const { uidValidity, uid } = server;
  if (
    target === null ||
    copy.folderId !== target.id ||
    uid === null ||
    uidValidity === null ||
    uidValidity !== target.uidValidity ||
    // A sync of the target folder stored the message already, so that row replaces the copy.
    store.messageSync.listUids(target.id, uidValidity).includes(uid)
  ) {
    store.messages.removeLocalCopy(messageId);
    return;
  }
  store.messages.assignUid(messageId, { uidValidity, uid });
}
