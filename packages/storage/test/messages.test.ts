import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { openMemory, receivedMessage, seedFolder } from './helpers.ts';

describe('MessageRepository', () => {
  let store: Store;
  let folderId: number;
  let accountId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId, accountId } = seedFolder(store));
  });
  afterEach(() => store.close());

  it('stores and reads back a received message', () => {
    const { id, inserted } = store.messages.insertReceived(
      receivedMessage(folderId, 5, { flags: ['\\Seen'] }),
    );
    expect(inserted).toBe(true);
    const message = store.messages.get(id);
    expect(message).toMatchObject({
      accountId,
      folderId,
      uidValidity: 7,
      uid: 5,
      messageId: '<5@example.org>',
      flags: ['\\Seen'],
      kind: 'pgp-mime-encrypted',
      result: null,
    });
    expect(message?.size).toBe(receivedMessage(folderId, 5).raw.byteLength);
    expect(store.messages.get(999)).toBeNull();
  });

  it('does not duplicate on re-sync', () => {
    const first = store.messages.insertReceived(receivedMessage(folderId, 5));
    const second = store.messages.insertReceived(
      receivedMessage(folderId, 5, { subject: 'other' }),
    );
    expect(second).toEqual({ id: first.id, inserted: false });
    expect(store.messages.listByFolder(folderId)).toHaveLength(1);
    expect(store.messages.get(first.id)?.subject).toBe('...');
  });

  it('keeps raw bytes byte-identical', () => {
    const raw = new Uint8Array(512);
    for (let index = 0; index < raw.length; index += 1) raw[index] = index % 256;
    raw.set([0x0d, 0x0a, 0x00, 0xff, 0x0d, 0x0a], 100);
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 1, { raw }));

    const stored = store.messages.getRaw(id);
    expect(Buffer.compare(stored, Buffer.from(raw))).toBe(0);
    expect(stored.byteLength).toBe(512);
    expect(store.messages.get(id)?.size).toBe(512);
  });

  it('rejects a UID under a stale UIDVALIDITY', () => {
    expect(() =>
      store.messages.insertReceived(receivedMessage(folderId, 1, { uidValidity: 6 })),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_STATE',
        message: expect.stringContaining('resetUidValidity'),
      }),
    );
  });

  it('throws MESSAGE_NOT_FOUND for unknown ids', () => {
    expect(() => store.messages.getRaw(12)).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }),
    );
    expect(() => store.messages.setResult(12, { ok: true })).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }),
    );
  });

  it('stores the decryption result as JSON', () => {
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 1));
    const result = {
      decrypted: true,
      signature: { valid: true, fingerprint: 'AB' },
      mode: 'openpgp',
    };
    store.messages.setResult(id, result);
    expect(store.messages.get(id)?.result).toEqual(result);
  });

  it('updates flags', () => {
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 1));
    store.messages.updateFlags(id, ['\\Seen', '\\Flagged']);
    expect(store.messages.get(id)?.flags).toEqual(['\\Seen', '\\Flagged']);
    expect(() => store.messages.updateFlags(id, [''])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('lists newest first with limit and offset', () => {
    for (const uid of [1, 2, 3, 4]) store.messages.insertReceived(receivedMessage(folderId, uid));
    const uids = (page: { limit?: number; offset?: number }) =>
      store.messages.listByFolder(folderId, page).map((message) => message.uid);
    expect(uids({})).toEqual([4, 3, 2, 1]);
    expect(uids({ limit: 2 })).toEqual([4, 3]);
    expect(uids({ limit: 2, offset: 2 })).toEqual([2, 1]);
    expect(
      store.messages.listByAccount(accountId, { limit: 1 }).map((message) => message.uid),
    ).toEqual([4]);
    expect(() => uids({ limit: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('assigns a UID to a local copy', () => {
    const sent = seedFolder(store, 'alice@example.org', 'Sent', 11);
    // insertLocal reads only the MessageContent fields, so uid and uidValidity are ignored.
    const content = receivedMessage(sent.folderId, 1, { uid: 999, uidValidity: 999 });
    const first = store.messages.insertLocal(content);
    const second = store.messages.insertLocal(content);
    expect(store.messages.get(first)).toMatchObject({ uid: null, uidValidity: null });
    expect(second).not.toBe(first);

    store.messages.assignUid(first, { uidValidity: 11, uid: 40 });
    expect(store.messages.get(first)).toMatchObject({ uid: 40, uidValidity: 11 });
    expect(() => store.messages.assignUid(second, { uidValidity: 11, uid: 40 })).toThrow(
      expect.objectContaining({ code: 'CONSTRAINT_FAILED' }),
    );
    expect(store.messages.insertReceived({ ...content, uid: 40, uidValidity: 11 })).toEqual({
      id: first,
      inserted: false,
    });
  });

  it('moves a message keeping its id', () => {
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 5));
    const archive = seedFolder(store, 'alice@example.org', 'Archive', 12);

    store.messages.moveToFolder(id, archive.folderId);
    expect(store.messages.get(id)).toMatchObject({
      folderId: archive.folderId,
      uid: null,
      uidValidity: null,
    });
    expect(store.messages.listByFolder(folderId)).toEqual([]);

    store.messages.assignUid(id, { uidValidity: 12, uid: 1 });
    expect(store.messages.get(id)).toMatchObject({ folderId: archive.folderId, uid: 1 });
    expect(() => store.messages.moveToFolder(999, archive.folderId)).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }),
    );
  });

  it('removes only a local copy', () => {
    const { id } = store.messages.insertReceived(receivedMessage(folderId, 5));
    expect(store.messages.removeLocalCopy(id)).toBe(false);
    expect(store.messages.get(id)).not.toBeNull();

    const archive = seedFolder(store, 'alice@example.org', 'Archive', 12);
    store.messages.moveToFolder(id, archive.folderId);
    expect(store.messages.removeLocalCopy(id)).toBe(true);
    expect(store.messages.get(id)).toBeNull();
  });

  it('rejects unknown kind and folder', () => {
    expect(() =>
      store.messages.insertReceived(receivedMessage(folderId, 1, { kind: 'smime' as 'plain' })),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => store.messages.insertReceived(receivedMessage(999, 1))).toThrow(
      expect.objectContaining({ code: 'FOLDER_NOT_FOUND' }),
    );
  });
});
