import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { toMatchExpression, type SearchDocument, type Store } from '../src/index.ts';
import { EMPTY_SEARCH_DOCUMENT, openMemory, receivedMessage, seedFolder } from './helpers.ts';

describe('SearchIndexRepository', () => {
  let store: Store;
  let folderId: number;
  let accountId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId, accountId } = seedFolder(store));
  });
  afterEach(() => store.close());

  const add = (uid: number, document: Partial<SearchDocument>, date = uid): number => {
    const { id } = store.messages.insertReceived(
      receivedMessage(folderId, uid, {
        date: new Date(Date.UTC(2025, 0, date)),
        fromAddress: `sender${uid}@example.net`,
      }),
    );
    store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, ...document });
    return id;
  };

  it('finds every word, the last as a prefix', () => {
    const harbour = add(1, { subject: 'Harbour budget', body: 'quarterly numbers' });
    add(2, { subject: 'Harbour', body: 'nothing else' });
    expect(store.searchIndex.search({ text: 'harbour quart' }).map((hit) => hit.messageId)).toEqual(
      [harbour],
    );
    expect(store.searchIndex.search({ text: 'harbor' })).toEqual([]);
  });

  it('treats FTS5 syntax as text', () => {
    add(1, { body: 'subject NEAR body' });
    expect(toMatchExpression('subject: "a" OR b*')).toBe('"subject" "a" "OR" "b"*');
    expect(store.searchIndex.search({ text: 'NEAR("x' })).toEqual([]);
    expect(store.searchIndex.search({ text: '*** ""' })).toHaveLength(1);
  });

  it('filters by flags, sender and dates', () => {
    const encrypted = add(1, { encrypted: true, depth: 'outer' }, 5);
    const signed = add(2, { signed: true, hasAttachment: true }, 10);
    add(3, {}, 20);
    const ids = (query: Parameters<Store['searchIndex']['search']>[0]) =>
      store.searchIndex.search(query).map((hit) => hit.messageId);
    expect(ids({ encrypted: true })).toEqual([encrypted]);
    expect(ids({ signed: true, hasAttachment: true })).toEqual([signed]);
    expect(ids({ from: 'SENDER2@' })).toEqual([signed]);
    expect(
      ids({ since: new Date(Date.UTC(2025, 0, 5)), before: new Date(Date.UTC(2025, 0, 20)) }),
    ).toEqual([signed, encrypted]);
    expect(ids({ accountId, folderId, limit: 1 })).toHaveLength(1);
  });

  it('matches sender names by words', () => {
    const named = add(1, { sender: 'Robin Harbourmaster robin@example.net' });
    add(2, { sender: 'Sam sam@example.net' });
    const ids = (from: string) => store.searchIndex.search({ from }).map((hit) => hit.messageId);
    expect(ids('robin harbour')).toEqual([named]);
    expect(ids('harbourmaster')).toEqual([named]);
    expect(ids('master')).toEqual([]);
    expect(ids('"robin')).toEqual([named]);
  });

  it('matches an address only in the stored address', () => {
    const ids = (from: string) => store.searchIndex.search({ from }).map((hit) => hit.messageId);
    const spoofed = add(1, { sender: 'alice@example.org mallory@example.net' });
    expect(ids('alice@example.org')).toEqual([]);
    expect(ids('sender1@example.net')).toEqual([spoofed]);
  });

  it('orders hits newest first by default', () => {
    const strong = add(1, { subject: 'harbour', body: 'harbour harbour' }, 3);
    const weak = add(2, { body: 'harbour and many other words besides the one' }, 9);
    const older = add(3, { body: 'harbour' }, 1);
    const ids = store.searchIndex.search({ text: 'harbour' }).map((hit) => hit.messageId);
    expect(ids).toEqual([weak, strong, older]);
    expect(store.searchIndex.search({ text: 'harbour', limit: 1 })[0]!.messageId).toBe(weak);
  });

  it('ranks matches best first on request', () => {
    const strong = add(1, { subject: 'harbour', body: 'harbour harbour' }, 3);
    const weak = add(2, { body: 'harbour and many other words besides the one' }, 9);
    const hits = store.searchIndex.search({ text: 'harbour', order: 'relevance' });
    expect(hits.map((hit) => hit.messageId)).toEqual([strong, weak]);
    expect(hits[0]!.rank).toBeLessThan(hits[1]!.rank);
  });

  it('rejects an unknown order', () => {
    expect(() => store.searchIndex.search({ text: 'x', order: 'oldest' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
  });

  it('finds a filtered match ranked below the candidates', () => {
    // With limit 1 only the 8 best-ranked matches are candidates. The one signed message
    // ranks last of 12, so the search must fall back to ranking every match.
    for (let uid = 1; uid <= 11; uid += 1) add(uid, { body: 'harbour harbour harbour' });
    const signed = add(12, { body: `harbour ${'filler '.repeat(200)}`, signed: true });
    const relevance = { text: 'harbour', order: 'relevance' } as const;
    const hits = store.searchIndex.search({ ...relevance, signed: true, limit: 1 });
    expect(hits.map((hit) => hit.messageId)).toEqual([signed]);
    expect(store.searchIndex.search({ ...relevance, limit: 3 })).toHaveLength(3);
  });

  it('never lets outer text replace full text', () => {
    const id = add(1, { body: 'decrypted secret words', depth: 'full' });
    store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, subject: '[...]', depth: 'outer' });
    expect(store.searchIndex.depthOf(id)).toBe('full');
    expect(store.searchIndex.search({ text: 'decrypted' })).toHaveLength(1);
    store.searchIndex.index(id, { ...EMPTY_SEARCH_DOCUMENT, body: 'replaced', depth: 'full' });
    expect(store.searchIndex.search({ text: 'decrypted' })).toEqual([]);
    expect(store.searchIndex.search({ text: 'replaced' })).toHaveLength(1);
  });

  it('rejects unknown keys and bad limits', () => {
    expect(() => store.searchIndex.search({ txt: 'x' } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    expect(() => store.searchIndex.search({ limit: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    expect(() => store.searchIndex.search({ text: 'x'.repeat(1_001) })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
  });
});
