import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { HeaderOnlyMessage, Store } from '../src/index.ts';
import { openMemory, seedFolder } from './helpers.ts';

function headers(folderId: number, uid: number, overrides: Partial<HeaderOnlyMessage> = {}) {
  const header = Buffer.from(`Message-ID: <${uid}@example.org>\r\nSubject: s${uid}\r\n\r\n`);
  return {
    folderId,
    uidValidity: 7,
    uid,
    header,
    flags: ['\\Seen'],
    internalDate: new Date(Date.UTC(2025, 0, 1)),
    serverSize: 1_000 + uid,
    messageId: `<${uid}@example.org>`,
    fromAddress: 'bob@example.net',
    subject: `s${uid}`,
    date: null,
    kind: 'unknown' as const,
    ...overrides,
  };
}

const FULL = {
  messageId: '<1@example.org>',
  fromAddress: 'bob@example.net',
  subject: 'full subject',
  date: new Date(Date.UTC(2025, 1, 1)),
  kind: 'plain' as const,
};

describe('MessageSyncRepository', () => {
  let store: Store;
  let folderId: number;
  let accountId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId, accountId } = seedFolder(store));
  });
  afterEach(() => store.close());

  it('stores headers once per UID', () => {
    const first = store.messageSync.insertHeaders(headers(folderId, 1));
    const again = store.messageSync.insertHeaders(headers(folderId, 1));
    expect(first.inserted).toBe(true);
    expect(again).toEqual({ id: first.id, inserted: false });
    expect(store.messageSync.listUids(folderId, 7)).toEqual([1]);
    expect(store.messageSync.hasBody(first.id)).toBe(false);
  });

  it('rejects headers under a stale UIDVALIDITY', () => {
    expect(() => store.messageSync.insertHeaders(headers(folderId, 1, { uidValidity: 8 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }) as Error,
    );
    expect(() => store.messageSync.insertHeaders(headers(999, 1))).toThrow(
      expect.objectContaining({ code: 'FOLDER_NOT_FOUND' }) as Error,
    );
  });

  it('lists pending bodies highest UID first', () => {
    for (const uid of [3, 1, 2]) store.messageSync.insertHeaders(headers(folderId, uid));
    expect(store.messageSync.countBodyPending(folderId)).toBe(3);
    const pending = store.messageSync.listBodyPending(folderId, 2);
    expect(pending.map((message) => message.uid)).toEqual([3, 2]);
    expect(pending[0]!.serverSize).toBe(1_003);
  });

  it('completes a body once', () => {
    const { id } = store.messageSync.insertHeaders(headers(folderId, 1));
    const raw = Buffer.from('Message-ID: <1@example.org>\r\nSubject: full subject\r\n\r\nbody\r\n');
    expect(store.messageSync.completeBody(id, raw, FULL)).toBe(true);
    expect(store.messageSync.completeBody(id, raw, FULL)).toBe(false);
    expect(store.messageSync.hasBody(id)).toBe(true);
    expect(store.messageSync.countBodyPending(folderId)).toBe(0);
    const message = store.messages.get(id)!;
    expect(message.subject).toBe('full subject');
    expect(message.kind).toBe('plain');
    expect(Buffer.from(store.messages.getRaw(id)).toString()).toContain('body');
    expect(store.messageSync.hasBody(12345)).toBeNull();
  });

  it('applies server flags except over pending flag actions', () => {
    const one = store.messageSync.insertHeaders(headers(folderId, 1));
    const two = store.messageSync.insertHeaders(headers(folderId, 2));
    store.pendingActions.enqueue({
      accountId,
      folderId,
      uidValidity: 7,
      uid: 2,
      kind: 'flags',
      payload: { add: ['\\Flagged'], remove: [] },
    });
    const changed = store.messageSync.applyServerFlags(folderId, 7, [
      { uid: 1, flags: ['\\Seen', '\\Answered'] },
      { uid: 2, flags: [] },
    ]);
    expect(changed).toBe(1);
    expect(store.messages.get(one.id)!.flags).toEqual(['\\Answered', '\\Seen']);
    expect(store.messages.get(two.id)!.flags).toEqual(['\\Seen']);
    // The same flags again change nothing.
    expect(
      store.messageSync.applyServerFlags(folderId, 7, [
        { uid: 1, flags: ['\\Answered', '\\Seen'] },
      ]),
    ).toBe(0);
  });

  it('removes expunged UIDs and their index entry', () => {
    const one = store.messageSync.insertHeaders(headers(folderId, 1));
    store.messageSync.insertHeaders(headers(folderId, 2));
    store.searchIndex.index(one.id, {
      subject: 'harbour',
      sender: '',
      recipients: '',
      body: '',
      hasAttachment: false,
      encrypted: false,
      signed: false,
      depth: 'full',
    });
    expect(store.messageSync.removeByUids(folderId, 7, [1, 99])).toBe(1);
    expect(store.messageSync.listUids(folderId, 7)).toEqual([2]);
    expect(store.searchIndex.search({ text: 'harbour' })).toEqual([]);
  });
});
