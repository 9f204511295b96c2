// Bodies that sync stores in a store on disk go into sealed body packs beside the database.
// They read back byte for byte, and no plaintext reaches the pack or the database files. A
// changed or cut record is rejected and the message is fetched again. A rolled-back transaction
// leaves nothing referred to, and the record is deleted with its message.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../src/migrations/index.ts';
import { openDatabase, type Store } from '../src/index.ts';
import { makeTempDir, seedFolder } from './helpers.ts';

const KEY = new Uint8Array(32).fill(9);
const CANARY = 'packcanary-ZQ7';
const HEADER = `Message-ID: <m@example.org>\r\nSubject: ${'x'.repeat(8)}\r\n\r\n`;

function headers(store: Store, folderId: number, uid: number): number {
  return store.messageSync.insertHeaders({
    folderId,
    uidValidity: 7,
    uid,
    header: Buffer.from(HEADER),
    flags: [],
    internalDate: new Date(Date.UTC(2025, 0, uid)),
    serverSize: 4096,
    messageId: `<${uid}@example.org>`,
    fromAddress: 'bob@example.net',
    subject: 'x',
    date: null,
    kind: 'plain',
  }).id;
}

function body(uid: number): Buffer {
  return Buffer.concat([
    Buffer.from(HEADER),
    Buffer.from(`${CANARY} message ${uid}\r\n`),
    Buffer.from(randomBytes(2000).toString('base64')),
  ]);
}

const FIELDS = {
  messageId: '<m@example.org>',
  fromAddress: 'bob@example.net',
  subject: 'x',
  date: null,
  kind: 'plain' as const,
};

describe('body packs', () => {
  let temp: { dir: string; cleanup: () => void };
  let store: Store;
  let folderId: number;
  const dbPath = () => path.join(temp.dir, 'sealpost.db');
  const bodiesDir = () => path.join(temp.dir, 'bodies');
  const packFiles = () => fs.readdirSync(bodiesDir()).map((name) => path.join(bodiesDir(), name));

  beforeEach(() => {
    temp = makeTempDir();
    store = openDatabase(dbPath(), { encryptionKey: KEY });
    ({ folderId } = seedFolder(store));
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('stores bodies sealed and reads them back exactly', () => {
    const bodies = new Map<number, Buffer>();
    store.unflushedTransaction('store bodies', () => {
      for (let uid = 1; uid <= 20; uid++) {
        const id = headers(store, folderId, uid);
        bodies.set(id, body(uid));
        expect(store.messageSync.completeBody(id, bodies.get(id)!, FIELDS)).toBe(true);
      }
    });
    for (const [id, raw] of bodies) {
      expect(store.messages.getRaw(id).equals(raw)).toBe(true);
      expect(store.messageSync.hasBody(id)).toBe(true);
    }
    expect(store.messages.listPackNames().size).toBe(1);
    store.close();

    const files = [...packFiles(), dbPath(), `${dbPath()}-wal`].filter((file) =>
      fs.existsSync(file),
    );
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      expect(fs.readFileSync(file).includes(CANARY), file).toBe(false);
    }
    for (const file of packFiles()) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(bodiesDir()).mode & 0o777).toBe(0o700);

    // A new store writes packs of its own and still reads the earlier one.
    store = openDatabase(dbPath(), { encryptionKey: KEY });
    const id = headers(store, folderId, 21);
    store.messageSync.completeBody(id, body(21), FIELDS);
    expect(store.messages.listPackNames().size).toBe(2);
    for (const [earlier, raw] of bodies) {
      expect(store.messages.getRaw(earlier).equals(raw)).toBe(true);
    }
  });

  it('rejects a changed record', () => {
    const first = headers(store, folderId, 1);
    const second = headers(store, folderId, 2);
    store.messageSync.completeBody(first, body(1), FIELDS);
    store.messageSync.completeBody(second, body(2), FIELDS);
    const [pack] = packFiles();
    const bytes = fs.readFileSync(pack!);
    bytes[100] = bytes[100]! ^ 0x01; // inside the first record's ciphertext
    fs.writeFileSync(pack!, bytes);
    // Reads are cached per descriptor only; reopen so the change is seen like after a restart.
    store.close();
    store = openDatabase(dbPath(), { encryptionKey: KEY });

    expect(() => store.messages.getRaw(first)).toThrow(
      expect.objectContaining({ code: 'MESSAGE_BODY_DAMAGED' }),
    );
    expect(() => store.messages.getRaw(first)).not.toThrow();
    expect(store.messages.getRaw(first).toString()).toBe(HEADER);
    expect(store.messageSync.hasBody(first)).toBe(false);
    expect(store.messageSync.listBodyPending(folderId, 10).map((m) => m.id)).toEqual([first]);
    expect(store.messages.getRaw(second).toString()).toContain(`${CANARY} message 2`);

    const again = body(1);
    expect(store.messageSync.completeBody(first, again, FIELDS)).toBe(true);
    expect(store.messages.getRaw(first).equals(again)).toBe(true);
  });

  it('keeps a damaged record during a move', () => {
    const id = headers(store, folderId, 1);
    store.messageSync.completeBody(id, body(1), FIELDS);
    const { folderId: trash } = seedFolder(store, 'alice@example.org', 'Trash', 9);
    store.messages.moveToFolder(id, trash);
    const [pack] = packFiles();
    const bytes = fs.readFileSync(pack!);
    bytes[100] = bytes[100]! ^ 0x01;
    fs.writeFileSync(pack!, bytes);
    store.close();
    store = openDatabase(dbPath(), { encryptionKey: KEY });

    for (let attempt = 0; attempt < 2; attempt++) {
      expect(() => store.messages.getRaw(id)).toThrow(/pending move or delete/);
    }
    expect(store.messageSync.hasBody(id)).toBe(true);

    // Once the move has its UID, the next read hands the body back to sync.
    store.messages.assignUid(id, { uidValidity: 9, uid: 4 });
    expect(() => store.messages.getRaw(id)).toThrow(/next sync fetches it/);
    expect(store.messageSync.hasBody(id)).toBe(false);
    expect(store.messages.getRaw(id).toString()).toBe(HEADER);
  });

  it('rejects a cut pack', () => {
    const id = headers(store, folderId, 1);
    store.messageSync.completeBody(id, body(1), FIELDS);
    const [pack] = packFiles();
    fs.truncateSync(pack!, fs.statSync(pack!).size - 5);
    store.close();
    store = openDatabase(dbPath(), { encryptionKey: KEY });
    expect(() => store.messages.getRaw(id)).toThrow(/ends 5 bytes early/);
    expect(store.messageSync.hasBody(id)).toBe(false);
  });

  it('keeps nothing of a transaction that rolled back', () => {
    const id = headers(store, folderId, 1);
    expect(() =>
      store.unflushedTransaction('store then fail', () => {
        store.messageSync.completeBody(id, body(1), FIELDS);
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(store.messageSync.hasBody(id)).toBe(false);
    expect(store.messages.getRaw(id).toString()).toBe(HEADER);
    expect(store.messages.listPackNames()).toEqual(new Set());
  });

  it('rolls back when the records cannot be flushed', () => {
    const id = headers(store, folderId, 1);
    const packs = store.bodyPacks!;
    const flush = packs.flush.bind(packs);
    // A failing fdatasync (EIO, a full disk) cannot be made on demand here.
    packs.flush = () => {
      throw new Error('flush failed');
    };
    try {
      expect(() => store.messageSync.completeBody(id, body(1), FIELDS)).toThrow('flush failed');
      expect(store.messageSync.hasBody(id)).toBe(false);
      expect(store.messages.listPackNames()).toEqual(new Set());
    } finally {
      packs.flush = flush;
    }
  });

  it('stops with DISK_FULL on a full disk', () => {
    // A 64 KiB tmpfs over the bodies folder fills up as a real disk does (ENOSPC).
    fs.mkdirSync(bodiesDir(), { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', bodiesDir()]);
    const id = headers(store, folderId, 1);
    const large = Buffer.concat([body(1), randomBytes(256 * 1024)]);
    try {
      expect(() => store.messageSync.completeBody(id, large, FIELDS)).toThrow(
        expect.objectContaining({ code: 'DISK_FULL' }),
      );
      expect(() => store.messageSync.completeBody(id, large, FIELDS)).toThrow(/Free disk space/);
      expect(store.messageSync.hasBody(id)).toBe(false);
      expect(store.messages.getRaw(id).toString()).toBe(HEADER);
      expect(store.messages.listPackNames()).toEqual(new Set());
    } finally {
      execFileSync('umount', [bodiesDir()]);
    }

    expect(store.messageSync.completeBody(id, large, FIELDS)).toBe(true);
    expect(store.messages.getRaw(id).equals(large)).toBe(true);
  });

  it('flushes records only for flushed commits', () => {
    const packs = store.bodyPacks!;
    const flush = packs.flush.bind(packs);
    const pendingAtFlush: boolean[] = [];
    packs.flush = () => {
      pendingAtFlush.push(packs.pendingFlush);
      flush();
    };
    const first = headers(store, folderId, 1);
    const second = headers(store, folderId, 2);
    pendingAtFlush.length = 0;

    store.unflushedTransaction('store a body unflushed', () => {
      store.messageSync.completeBody(first, body(1), FIELDS);
    });
    expect(pendingAtFlush).toEqual([]);
    expect(packs.pendingFlush).toBe(false);

    // A flushed commit without records of its own leaves those of unflushed ones alone.
    store.messages.setReadSubject(first, 'read');
    expect(pendingAtFlush).toEqual([false]);

    store.messageSync.completeBody(second, body(2), FIELDS);
    expect(pendingAtFlush).toEqual([false, true]);
    expect(packs.pendingFlush).toBe(false);
  });

  it('names an unusable bodies folder', () => {
    fs.writeFileSync(bodiesDir(), 'not a folder');
    const id = headers(store, folderId, 1);
    expect(() => store.messageSync.completeBody(id, body(1), FIELDS)).toThrow(
      expect.objectContaining({ code: 'IO_FAILED' }),
    );
    expect(() => store.messageSync.completeBody(id, body(1), FIELDS)).toThrow(
      `Check that ${bodiesDir()} is a folder you can write to`,
    );
    expect(store.messageSync.hasBody(id)).toBe(false);
  });

  it('drops the record with its message', () => {
    const id = headers(store, folderId, 1);
    store.messageSync.completeBody(id, body(1), FIELDS);
    expect(store.messages.listPackNames().size).toBe(1);
    store.messageSync.removeByUids(folderId, 7, [1]);
    expect(store.messages.listPackNames()).toEqual(new Set());
  });

  it('deletes idle unreferenced packs', () => {
    const id = headers(store, folderId, 1);
    store.messageSync.completeBody(id, body(1), FIELDS);
    store.close();
    store = openDatabase(dbPath(), { encryptionKey: KEY });
    const kept = headers(store, folderId, 2);
    store.messageSync.completeBody(kept, body(2), FIELDS);
    store.messageSync.removeByUids(folderId, 7, [1]);
    const referenced = store.messages.listPackNames();
    expect(referenced.size).toBe(1);
    const unreferenced = fs.readdirSync(bodiesDir()).filter((name) => !referenced.has(name));
    expect(unreferenced).toHaveLength(1);

    const packs = store.bodyPacks!;
    const now = Date.now();
    expect(packs.removeUnreferenced(referenced, now)).toEqual([]);
    const day = 24 * 60 * 60_000;
    // The pack this store writes is never deleted, even when nothing refers to it yet.
    store.messageSync.removeByUids(folderId, 7, [2]);
    expect(packs.removeUnreferenced(new Set(), now + day)).toEqual(unreferenced);
    expect(fs.readdirSync(bodiesDir())).toHaveLength(1);
  });

  it('keeps bodies of a version 13 database in place', () => {
    store.close();
    fs.rmSync(dbPath());
    const old = openDatabase(dbPath(), { migrations: MIGRATIONS.slice(0, 13) });
    ({ folderId } = seedFolder(old));
    const raw = body(1);
    const { id } = old.messages.insertReceived({
      ...FIELDS,
      folderId,
      uidValidity: 7,
      uid: 1,
      raw,
      flags: [],
      internalDate: new Date(Date.UTC(2025, 0, 1)),
    });
    old.close();

    store = openDatabase(dbPath());
    expect(store.schemaVersion).toBe(14);
    expect(store.messages.getRaw(id).equals(raw)).toBe(true);
    expect(store.messages.listPackNames()).toEqual(new Set());
  });
});
