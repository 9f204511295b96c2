// The archive folder of an account: the folder with the SPECIAL-USE attribute \Archive
// (RFC 6154 section 2), else a folder named "Archive" in any letter case. When neither the local
// store nor the server's LIST has one, "Archive" is created and subscribed on the server. Plain
// CREATE cannot set \Archive, because that needs CREATE-SPECIAL-USE (RFC 6154 section 3).

import type { Store } from '@sealpost/storage';
import { ImapSession } from '@sealpost/mail-transport';
import type { AccountService } from '../accounts.ts';
import { CoreError } from '../errors.ts';

export const ARCHIVE_SPECIAL_USE = '\\Archive';
export const ARCHIVE_FOLDER_NAME = 'Archive';

/** Picks the \Archive folder, else the one named Archive (any case), else null. */
export function chooseArchiveFolder<T extends { path: string; specialUse: string | null }>(
  folders: readonly T[],
): T | null {
  return (
    folders.find((folder) => folder.specialUse === ARCHIVE_SPECIAL_USE) ??
    folders.find((folder) => folder.path.toLowerCase() === ARCHIVE_FOLDER_NAME.toLowerCase()) ??
    null
  );
}

export interface ArchiveFolder {
  path: string;
  /** True when this call created the folder on the server. */
  created: boolean;
}

/**
 * Returns the archive folder of account `accountId`. It queries the server only when the local
 * store (the folders of the last sync) has none, and stores what the server has or what it
 * created, so later calls need no connection.
 */
export async function ensureArchiveFolder(
  store: Store,
  accounts: AccountService,
  accountId: number,
): Promise<ArchiveFolder> {
  const local = chooseArchiveFolder(store.folders.listByAccount(accountId));
  if (local) return { path: local.path, created: false };

  const account = store.accounts.getById(accountId);
  if (!account) {
    throw new CoreError(
      'ACCOUNT_NOT_FOUND',
      `Account ${accountId} not found; list the accounts and try again.`,
    );
  }
  const session = await ImapSession.connect(accounts.imapOptions(account));
  try {
    const listed = chooseArchiveFolder(await session.listFolders());
    if (listed) {
      store.folders.upsert({ accountId, path: listed.path, specialUse: listed.specialUse });
      return { path: listed.path, created: false };
    }
    const creation = await session.createFolder(ARCHIVE_FOLDER_NAME);
    store.folders.upsert({ accountId, path: creation.path, specialUse: null });
    return { path: creation.path, created: creation.created };
  } finally {
    await session.close();
  }
}
