// The sync state of one folder as stored locally: every message's UID, flags and whether its
// body has arrived, plus the actions still waiting for the server. The UI shows progress with
// it, and the fault tests compare it with the server's state.

import type { Store } from '@sealpost/storage';
import { SyncError } from './sync-error.ts';

export interface FolderSnapshot {
  account: string;
  path: string;
  uidValidity: number | null;
  messages: Array<{ id: number; uid: number | null; messageId: string | null; flags: string[] }>;
  /** Messages whose body is still to be fetched. */
  bodiesPending: number;
  /** App actions of the account that the server has not confirmed yet. */
  actionsPending: number;
}

/** Largest page the messages repository returns; the snapshot walks the folder in such pages. */
const PAGE_SIZE = 10_000;

export function folderSnapshot(
  store: Store,
  account: { id: number; email: string },
  path: string,
): FolderSnapshot {
  const folder = store.folders.getByPath(account.id, path);
  if (!folder) {
    throw new SyncError(
      'FOLDER_NOT_FOUND',
      `Folder ${JSON.stringify(path)} of ${account.email} is not synced yet; run "sealpost sync".`,
    );
  }
  const messages: FolderSnapshot['messages'] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = store.messages.listByFolder(folder.id, { limit: PAGE_SIZE, offset });
    for (const message of page) {
      messages.push({
        id: message.id,
        uid: message.uid,
        messageId: message.messageId,
        flags: [...message.flags].sort(),
      });
    }
    if (page.length < PAGE_SIZE) break;
  }
  return {
    account: account.email,
    path: folder.path,
    uidValidity: folder.uidValidity,
    messages,
    bodiesPending: store.messageSync.countBodyPending(folder.id),
    actionsPending: store.pendingActions.listByAccount(account.id).length,
  };
}
