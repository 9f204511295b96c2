// Storage faults during a sync against the real Dovecot: the database file cannot grow (SQLite
// max_page_count, which returns SQLITE_FULL as a full disk does), the disk under the body packs
// is full (a small tmpfs, which returns ENOSPC), and a second connection keeps BEGIN EXCLUSIVE.
// Sync stops with the storage code, the file passes PRAGMA integrity_check, nothing is
// half-written, and the next sync completes to the server's state.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Store } from '@sealpost/storage';
import { openKeys } from '../../src/core/keystore/open-keys.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import type { Sealpost } from '../../src/core/sealpost.ts';
import { uniqueAddress } from '../e2e/stack.ts';
import {
  createSyncHome,
  localSnapshot,
  populateMailbox,
  serverSnapshot,
  type SyncHome,
} from './sync-fixtures.ts';

const MESSAGE_COUNT = 300;

interface RawHandle {
  pragma(source: string, options?: { simple: boolean }): unknown;
  exec(source: string): void;
}

/** Returns the better-sqlite3 handle behind a Store, reached as the storage tests reach it. */
function handleOf(store: Store): RawHandle {
  return (store as unknown as { connection: { db: RawHandle } }).connection.db;
}

function storeOf(sealpost: Sealpost): Store {
  return (sealpost as unknown as { store: Store }).store;
}

/** Opens a second connection to the data folder's encrypted database. */
function secondConnection(home: SyncHome): Store {
  const paths = resolveDataPaths({ SEALPOST_HOME: home.home });
  const { keystore } = openKeys(paths, { passphrase: home.passphrase, keychain: null });
  try {
    return openDatabase(paths.database, {
      encryptionKey: keystore.databaseKey,
      busyTimeoutMs: 100,
    });
  } finally {
    keystore.wipe();
  }
}

describe('sync under storage faults', () => {
  const address = uniqueAddress('disk');
  let home: SyncHome;
  let sealpost: Sealpost;

  beforeAll(async () => {
    await populateMailbox(address, MESSAGE_COUNT, 31);
    home = await createSyncHome(address);
    sealpost = await home.open();
  });

  afterAll(() => {
    sealpost?.close();
    home?.remove();
  });

  it('stops with DISK_FULL and resumes cleanly', async () => {
    const db = handleOf(storeOf(sealpost));
    const pages = db.pragma('page_count', { simple: true }) as number;
    // Room for the folders and some headers, too little for the headers of 300 messages.
    db.pragma(`max_page_count = ${pages + 16}`);

    try {
      const failed = sealpost.mail.sync({ account: null });
      await expect(failed).rejects.toMatchObject({ code: 'DISK_FULL' });
      await expect(failed).rejects.toThrow(/Free disk space/);

      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // Every row is whole: headers stored once, and not every message got its body.
      const partial = localSnapshot(sealpost);
      expect(partial.rows - partial.withoutBody).toBeLessThan(MESSAGE_COUNT);
      expect(partial.distinctMessageIds).toBe(partial.rows);
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
    await sealpost.mail.sync({ account: null });
    const local = localSnapshot(sealpost);
    expect(local.rows).toBe(MESSAGE_COUNT);
    expect(local.withoutBody).toBe(0);
    expect(local.distinctMessageIds).toBe(MESSAGE_COUNT);
    expect(local.flags).toEqual(await serverSnapshot(address));
  });

  it('stops with DATABASE_LOCKED and resumes cleanly', async () => {
    const holder = secondConnection(home);
    const before = localSnapshot(sealpost);
    try {
      handleOf(holder).exec('BEGIN EXCLUSIVE');
      const [message] = sealpost.mail.list({ account: null, folder: 'INBOX' });
      expect(() => sealpost.mail.setFlags(message!.id, { add: ['\\Flagged'] })).toThrow(
        expect.objectContaining({ code: 'DATABASE_LOCKED' }) as Error,
      );
      // A new message on the server makes sync write, which waits for the lock and fails.
      await populateMailbox(address, 1, 32);
      await expect(sealpost.mail.sync({ account: null })).rejects.toMatchObject({
        code: 'DATABASE_LOCKED',
      });
      handleOf(holder).exec('ROLLBACK');
    } finally {
      holder.close();
    }

    const db = handleOf(storeOf(sealpost));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const unchanged = localSnapshot(sealpost);
    expect(unchanged.rows).toBe(before.rows);
    expect(unchanged.flags).toEqual(before.flags);
    expect(sealpost.mail.folderSnapshot({ account: null, folder: 'INBOX' }).actionsPending).toBe(0);

    await sealpost.mail.sync({ account: null });
    const local = localSnapshot(sealpost);
    expect(local.rows).toBe(MESSAGE_COUNT + 1);
    expect(local.withoutBody).toBe(0);
    expect(local.flags).toEqual(await serverSnapshot(address));
  });
});

describe('sync with a full disk under the body packs', () => {
  const address = uniqueAddress('packs-full');
  let home: SyncHome;
  let sealpost: Sealpost;
  let bodies: string;
  let mounted = false;

  beforeAll(async () => {
    await populateMailbox(address, 100, 33);
    home = await createSyncHome(address);
    sealpost = await home.open();
    bodies = path.join(
      path.dirname(resolveDataPaths({ SEALPOST_HOME: home.home }).database),
      'bodies',
    );
    mkdirSync(bodies, { recursive: true, mode: 0o700 });
    // 64 KiB hold a few of the 100 bodies of 1-40 KiB, then writes fail with ENOSPC.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', bodies]);
    mounted = true;
  });

  afterAll(() => {
    sealpost?.close();
    if (mounted) execFileSync('umount', ['-l', bodies]);
    home?.remove();
  });

  it('stops with DISK_FULL and resumes cleanly', async () => {
    const failed = sealpost.mail.sync({ account: null });
    await expect(failed).rejects.toMatchObject({ code: 'DISK_FULL' });
    await expect(failed).rejects.toThrow(/Free disk space/);

    const db = handleOf(storeOf(sealpost));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const partial = localSnapshot(sealpost);
    expect(partial.rows).toBe(100);
    expect(partial.withoutBody).toBeGreaterThan(0);
    expect(partial.distinctMessageIds).toBe(100);

    execFileSync('umount', [bodies]);
    mounted = false;
    await sealpost.mail.sync({ account: null });
    const local = localSnapshot(sealpost);
    expect(local.rows).toBe(100);
    expect(local.withoutBody).toBe(0);
    expect(local.flags).toEqual(await serverSnapshot(address));
    const listed = sealpost.mail.list({ account: null, folder: 'INBOX' });
    for (const message of listed.slice(0, 10)) {
      expect(sealpost.mail.getRaw(message.id).length).toBeGreaterThan(1024);
    }
  });
});
