// MessageRepository.countByFolder: total and unread counts of one folder in a single query,
// where unread means the \Seen flag is absent (RFC 9051 section 2.3.2).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { openMemory, receivedMessage, seedFolder } from './helpers.ts';

describe('MessageRepository.countByFolder', () => {
  let store: Store;
  let folderId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId } = seedFolder(store));
  });
  afterEach(() => store.close());

  it('counts an empty folder as zero', () => {
    expect(store.messages.countByFolder(folderId)).toEqual({ total: 0, unread: 0 });
  });

  it('counts messages without \\Seen as unread', () => {
    const flagSets = [[], ['\\Seen'], ['\\Flagged'], ['\\Flagged', '\\Seen'], ['$Seen'], []];
    for (const [index, flags] of flagSets.entries()) {
      store.messages.insertReceived(receivedMessage(folderId, index + 1, { flags }));
    }
    expect(store.messages.countByFolder(folderId)).toEqual({ total: 6, unread: 4 });
  });

  it('follows flag updates', () => {
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 1));
    store.messages.insertReceived(receivedMessage(folderId, 2));
    expect(store.messages.countByFolder(folderId).unread).toBe(2);

    store.messages.updateFlags(id, ['\\Seen']);
    expect(store.messages.countByFolder(folderId)).toEqual({ total: 2, unread: 1 });
  });

  it('counts only the given folder', () => {
    const other = seedFolder(store, 'alice@example.org', 'Archive');
    store.messages.insertReceived(receivedMessage(folderId, 1));
    store.messages.insertReceived(receivedMessage(other.folderId, 1));
    store.messages.insertReceived(receivedMessage(other.folderId, 2, { flags: ['\\Seen'] }));

    expect(store.messages.countByFolder(folderId)).toEqual({ total: 1, unread: 1 });
    expect(store.messages.countByFolder(other.folderId)).toEqual({ total: 2, unread: 1 });
  });

  it('matches a listing of the same folder', () => {
    for (let uid = 1; uid <= 50; uid += 1) {
      const flags = uid % 3 === 0 ? ['\\Seen'] : [];
      store.messages.insertReceived(receivedMessage(folderId, uid, { flags }));
    }
    const listed = store.messages.listByFolder(folderId, { limit: 1000 });
    const unread = listed.filter((message) => !message.flags.includes('\\Seen')).length;
    expect(store.messages.countByFolder(folderId)).toEqual({ total: listed.length, unread });
  });

  it('rejects an invalid folder id', () => {
    expect(() => store.messages.countByFolder(0)).toThrow(/folderId/);
  });
});
