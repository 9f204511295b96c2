import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SearchDocument, Store } from '../src/index.ts';
import { openMemory, seedFolder } from './helpers.ts';

const DOCUMENT: SearchDocument = {
  subject: 'harbour',
  sender: '',
  recipients: '',
  body: 'lighthouse',
  hasAttachment: false,
  encrypted: false,
  signed: false,
  depth: 'full',
};

const FIELDS = {
  messageId: null,
  fromAddress: 'bob@example.net',
  subject: 'harbour',
  date: null,
  kind: 'plain' as const,
};

describe('search queue', () => {
  let store: Store;
  let folderId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId } = seedFolder(store));
  });
  afterEach(() => store.close());

  /** Stores headers and then the body of UID `uid`, as sync does; returns the message id. */
  const arrive = (uid: number): number => {
    const header = Buffer.from(`Subject: harbour\r\n\r\n`);
    const { id } = store.messageSync.insertHeaders({
      folderId,
      uidValidity: 7,
      uid,
      header,
      flags: [],
      internalDate: new Date(0),
      serverSize: 100,
      ...FIELDS,
      kind: 'unknown',
    });
    store.messageSync.completeBody(
      id,
      Buffer.from(`Subject: harbour\r\n\r\nbody ${uid}\r\n`),
      FIELDS,
    );
    return id;
  };

  it('queues a message when its body is stored', () => {
    const first = arrive(1);
    const second = arrive(2);
    expect(store.searchIndex.countQueued()).toBe(2);
    expect(store.searchIndex.listQueued(10)).toEqual([first, second]);
    expect(store.searchIndex.listQueued(1)).toEqual([first]);
  });

  it('does not queue headers without a body', () => {
    store.messageSync.insertHeaders({
      folderId,
      uidValidity: 7,
      uid: 1,
      header: Buffer.from('Subject: x\r\n\r\n'),
      flags: [],
      internalDate: new Date(0),
      serverSize: 100,
      ...FIELDS,
    });
    expect(store.searchIndex.countQueued()).toBe(0);
  });

  it('takes a message off the queue when indexed', () => {
    const id = arrive(1);
    expect(store.searchIndex.search({ text: 'lighthouse' })).toEqual([]);
    store.searchIndex.index(id, DOCUMENT);
    expect(store.searchIndex.countQueued()).toBe(0);
    expect(store.searchIndex.search({ text: 'lighthouse' }).map((hit) => hit.messageId)).toEqual([
      id,
    ]);
  });

  it('dequeues without indexing', () => {
    const id = arrive(1);
    store.searchIndex.dequeue(id);
    expect(store.searchIndex.countQueued()).toBe(0);
    expect(store.searchIndex.depthOf(id)).toBeNull();
  });

  it('drops queued ids of expunged messages', () => {
    arrive(1);
    arrive(2);
    expect(store.messageSync.removeByUids(folderId, 7, [1])).toBe(1);
    expect(store.searchIndex.countQueued()).toBe(1);
  });

  it('stores the whole message in place of the header', () => {
    const id = arrive(1);
    expect(store.messages.getRaw(id).toString('latin1')).toBe('Subject: harbour\r\n\r\nbody 1\r\n');
    expect(store.messages.get(id)?.size).toBe('Subject: harbour\r\n\r\nbody 1\r\n'.length);
  });
});
