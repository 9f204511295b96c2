// Migration 12 adds message_files: a received message may refer to an encrypted file with its
// key and size. Completing a message through it marks the body stored, the row goes with the
// message, and the CHECK constraints refuse a name that is a path or a key of the wrong length.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../src/migrations/index.ts';
import { openDatabase, type Store } from '../../src/index.ts';
import { makeTempDir, openMemory, seedFolder } from '../helpers.ts';

const FILE_NAME = `${'0123456789abcdef'.repeat(2)}.msg`;
const MIB = 1024 * 1024;

function insertHeaders(store: Store, folderId: number, uid: number, serverSize: number): number {
  return store.messageSync.insertHeaders({
    folderId,
    uidValidity: 7,
    uid,
    header: Buffer.from(`Message-ID: <${uid}@example.org>\r\nSubject: s${uid}\r\n\r\n`),
    flags: [],
    internalDate: new Date(Date.UTC(2025, 0, 1)),
    serverSize,
    messageId: `<${uid}@example.org>`,
    fromAddress: 'bob@example.net',
    subject: `s${uid}`,
    date: null,
    kind: 'pgp-mime-encrypted',
  }).id;
}

function file(name = FILE_NAME, size = 9 * MIB) {
  return { name, key: Buffer.alloc(32, 7), size };
}

describe('migration 0012 message files', () => {
  let store: Store;
  let folderId: number;
  beforeEach(() => {
    store = openMemory();
    ({ folderId } = seedFolder(store));
  });
  afterEach(() => store.close());

  it('upgrades a version 11 database', () => {
    const temp = makeTempDir();
    try {
      const old = openDatabase(`${temp.dir}/mail.db`, { migrations: MIGRATIONS.slice(0, 11) });
      expect(old.schemaVersion).toBe(11);
      old.close();
      const upgraded = openDatabase(`${temp.dir}/mail.db`);
      expect(upgraded.schemaVersion).toBeGreaterThanOrEqual(12);
      expect(upgraded.messageFiles.listNames()).toEqual(new Set());
      upgraded.close();
    } finally {
      temp.cleanup();
    }
  });

  it('links a file and completes the message', () => {
    const id = insertHeaders(store, folderId, 1, 9 * MIB);
    expect(store.messageFiles.complete(id, file())).toBe(true);

    expect(store.messageSync.hasBody(id)).toBe(true);
    expect(store.messageFiles.get(id)).toEqual(file());
    expect(store.messageFiles.listNames()).toEqual(new Set([FILE_NAME]));
    expect(store.messages.getRaw(id).toString()).toContain('Subject: s1');
    expect(store.messageFiles.listLargeBodyPending(folderId, 8 * MIB, 10)).toEqual([]);
  });

  it('completes a message only once', () => {
    const id = insertHeaders(store, folderId, 1, 9 * MIB);
    expect(store.messageFiles.complete(id, file())).toBe(true);
    const other = `${'f'.repeat(32)}.msg`;
    expect(store.messageFiles.complete(id, file(other))).toBe(false);
    expect(store.messageFiles.listNames()).toEqual(new Set([FILE_NAME]));
  });

  it('drops the link with the message', () => {
    const id = insertHeaders(store, folderId, 1, 9 * MIB);
    store.messageFiles.complete(id, file());
    expect(store.messageSync.removeByUids(folderId, 7, [1])).toBe(1);
    expect(store.messageFiles.get(id)).toBeNull();
    expect(store.messageFiles.listNames()).toEqual(new Set());
  });

  it('lists only large messages without body', () => {
    insertHeaders(store, folderId, 1, MIB);
    const large = insertHeaders(store, folderId, 2, 8 * MIB);
    const larger = insertHeaders(store, folderId, 3, 20 * MIB);
    expect(store.messageFiles.listLargeBodyPending(folderId, 8 * MIB, 10)).toEqual([
      { id: larger, uid: 3, serverSize: 20 * MIB },
      { id: large, uid: 2, serverSize: 8 * MIB },
    ]);
    expect(store.messageFiles.listLargeBodyPending(folderId, 8 * MIB, 1)).toHaveLength(1);
  });

  it('rejects a file name that is a path', () => {
    const id = insertHeaders(store, folderId, 1, 9 * MIB);
    for (const name of ['../../etc/passwd', `${'A'.repeat(32)}.msg`, `${'a'.repeat(32)}.eml`]) {
      expect(() => store.messageFiles.complete(id, file(name))).toThrow(/file\.name/);
    }
    expect(() => store.messageFiles.complete(id, { ...file(), key: Buffer.alloc(16) })).toThrow(
      /file\.key/,
    );
    expect(() => store.messageFiles.complete(id, file(FILE_NAME, 0))).toThrow(/file\.size/);
    expect(store.messageSync.hasBody(id)).toBe(false);
  });
});
