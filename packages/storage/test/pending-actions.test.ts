import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { openMemory, seedFolder } from './helpers.ts';

describe('PendingActionRepository', () => {
  let store: Store;
  let ids: { accountId: number; folderId: number };
  beforeEach(() => {
    store = openMemory();
    ids = seedFolder(store);
  });
  afterEach(() => store.close());

  const action = (uid: number, kind: 'flags' | 'move' | 'expunge', payload: object) => ({
    ...ids,
    uidValidity: 7,
    uid,
    kind,
    payload: payload as never,
  });

  it('lists actions in the order they were made', () => {
    const first = store.pendingActions.enqueue(action(5, 'flags', { add: ['\\Seen'], remove: [] }));
    const second = store.pendingActions.enqueue(action(3, 'move', { targetPath: 'Trash' }));
    const listed = store.pendingActions.listByAccount(ids.accountId);
    expect(listed.map((item) => item.id)).toEqual([first.id, second.id]);
    expect(listed[1]).toMatchObject({
      uid: 3,
      kind: 'move',
      payload: { targetPath: 'Trash' },
      attempts: 0,
      lastError: null,
    });
  });

  it('counts failures and removes confirmed actions', () => {
    const queued = store.pendingActions.enqueue(action(5, 'expunge', {}));
    store.pendingActions.recordFailure(queued.id, 'IMAP_COMMAND_FAILED: NO');
    store.pendingActions.recordFailure(queued.id, 'IMAP_COMMAND_FAILED: NO again');
    expect(store.pendingActions.listByAccount(ids.accountId)[0]).toMatchObject({
      attempts: 2,
      lastError: 'IMAP_COMMAND_FAILED: NO again',
    });
    store.pendingActions.remove(queued.id);
    expect(store.pendingActions.listByAccount(ids.accountId)).toEqual([]);
  });

  it('rejects unknown kinds and bad UIDs', () => {
    expect(() => store.pendingActions.enqueue(action(5, 'copy' as never, {}))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    expect(() => store.pendingActions.enqueue(action(0, 'expunge', {}))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    expect(() =>
      store.pendingActions.enqueue({ ...action(5, 'flags', {}), payload: undefined as never }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
  });

  it('drops actions with their account', () => {
    store.pendingActions.enqueue(action(5, 'expunge', {}));
    store.accounts.remove(ids.accountId);
    expect(store.pendingActions.listByAccount(ids.accountId)).toEqual([]);
  });
});
