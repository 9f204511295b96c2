// Moves and deletes that still wait for the server. A moved message keeps its local id: it is
// in the target folder at once, and the next sync records its UID there from the server's
// COPYUID response (sync/pending-replay.ts). A deleted message is gone locally at once, and
// its queued action (sync/message-actions.ts) is the only record until that sync.
// NOTE: without COPYUID, a server without UIDPLUS (RFC 4315), the sync stores the moved
// message again under a new id. SQLite may give a removed message's id to the next message
// stored, so an old id can name another message after a sync.

import type { Store } from '@sealpost/storage';

/** A queued move or delete of a local message. */
export type PendingChange =
  | { id: number; kind: 'move'; account: string; folder: string }
  | { id: number; kind: 'expunge'; account: string };

/** Returns the queued move or delete of local message `id`, or null when none waits. */
export function pendingChangeOf(store: Store, id: number): PendingChange | null {
  for (const account of store.accounts.list()) {
    for (const action of store.pendingActions.listByAccount(account.id)) {
      const payload = action.payload as { messageId?: unknown; targetPath?: unknown };
      if (payload.messageId !== id) continue;
      if (action.kind === 'move' && typeof payload.targetPath === 'string') {
        return { id, kind: 'move', account: account.email, folder: payload.targetPath };
      }
      if (action.kind === 'expunge') return { id, kind: 'expunge', account: account.email };
    }
  }
  return null;
}
