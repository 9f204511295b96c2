import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { accountInput, openMemory, receivedMessage, seedFolder } from './helpers.ts';

describe('FolderRepository', () => {
  let store: Store;
  beforeEach(() => {
    store = openMemory();
  });
  afterEach(() => store.close());

  it('upsert keeps sync state', () => {
    const account = store.accounts.insert(accountInput());
    const folder = store.folders.upsert({ accountId: account.id, path: 'INBOX', specialUse: null });
    expect(folder).toMatchObject({
      path: 'INBOX',
      uidValidity: null,
      lastUid: 0,
      highestModseq: null,
    });

    store.folders.resetUidValidity(folder.id, 42);
    store.folders.updateSyncState(folder.id, { lastUid: 17, highestModseq: 2n ** 60n });
    const again = store.folders.upsert({
      accountId: account.id,
      path: 'INBOX',
      specialUse: '\\Inbox',
    });

    expect(again.id).toBe(folder.id);
    expect(again).toMatchObject({
      uidValidity: 42,
      lastUid: 17,
      highestModseq: 2n ** 60n,
      specialUse: '\\Inbox',
    });
    expect(store.folders.getByPath(account.id, 'INBOX')).toEqual(again);
    expect(store.folders.listByAccount(account.id)).toEqual([again]);
  });

  it('rejects a folder of an unknown account', () => {
    expect(() => store.folders.upsert({ accountId: 3, path: 'INBOX' })).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
  });

  it('needs a UIDVALIDITY before sync state', () => {
    const account = store.accounts.insert(accountInput());
    const folder = store.folders.upsert({ accountId: account.id, path: 'INBOX' });
    expect(() => store.folders.updateSyncState(folder.id, { lastUid: 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('resets UIDVALIDITY for that folder only', () => {
    const inbox = seedFolder(store, 'alice@example.org', 'INBOX');
    const archive = seedFolder(store, 'alice@example.org', 'Archive');
    for (const uid of [1, 2, 3])
      store.messages.insertReceived(receivedMessage(inbox.folderId, uid));
    store.messages.insertReceived(receivedMessage(archive.folderId, 1));
    store.folders.updateSyncState(inbox.folderId, { lastUid: 3, highestModseq: 9n });

    const deleted = store.folders.resetUidValidity(inbox.folderId, 8);

    expect(deleted).toBe(3);
    expect(store.messages.listByFolder(inbox.folderId)).toEqual([]);
    expect(store.folders.get(inbox.folderId)).toMatchObject({
      uidValidity: 8,
      lastUid: 0,
      highestModseq: null,
    });
    expect(store.messages.listByFolder(archive.folderId)).toHaveLength(1);
    expect(store.folders.get(archive.folderId)?.uidValidity).toBe(7);
  });

  it('rejects an invalid UIDVALIDITY', () => {
    const { folderId } = seedFolder(store);
    expect(() => store.folders.resetUidValidity(folderId, 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => store.folders.resetUidValidity(999, 5)).toThrow(
      expect.objectContaining({ code: 'FOLDER_NOT_FOUND' }),
    );
  });
});
