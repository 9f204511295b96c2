// Migration 11 adds the message file columns to the outbox: entries queued before it keep their
// raw bytes and get no file, new entries can name a file, and the CHECK constraints refuse a
// name that is not 32 hex digits and ".eml" (a path would let a row point outside the folder).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../src/migrations/index.ts';
import { openDatabase, type Store } from '../../src/index.ts';
import { accountInput, makeTempDir } from '../helpers.ts';

const FILE_NAME = `${'0123456789abcdef'.repeat(2)}.eml`;

describe('migration 0011 outbox files', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  function entry(store: Store, accountId: number) {
    return {
      accountId,
      raw: Buffer.from('Message-ID: <a@example.org>\r\n\r\n'),
      envelopeFrom: 'alice@example.org',
      envelopeTo: ['bob@example.net'],
    };
  }

  it('keeps earlier entries without a file', () => {
    const file = `${temp.dir}/mail.db`;
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 10) });
    const accountId = old.accounts.insert(accountInput()).id;
    const queued = old.outbox.enqueue(entry(old, accountId));
    old.close();

    const store = openDatabase(file);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(11);
      const kept = store.outbox.get(queued.id)!;
      expect(kept.file).toBeNull();
      expect(kept.raw.toString()).toContain('Message-ID: <a@example.org>');
      expect(store.outbox.listFileNames()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('stores and lists a message file', () => {
    const store = openDatabase(`${temp.dir}/mail.db`);
    try {
      const accountId = store.accounts.insert(accountInput()).id;
      const queued = store.outbox.enqueue({
        ...entry(store, accountId),
        file: { name: FILE_NAME, size: 1234 },
      });
      expect(store.outbox.get(queued.id)!.file).toEqual({ name: FILE_NAME, size: 1234 });
      expect(store.outbox.listQueued()[0]!.file).toEqual({ name: FILE_NAME, size: 1234 });
      expect(store.outbox.listFileNames()).toEqual([FILE_NAME]);
      store.outbox.remove(queued.id);
      expect(store.outbox.listFileNames()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('rejects a file name that is a path', () => {
    const store = openDatabase(`${temp.dir}/mail.db`);
    try {
      const accountId = store.accounts.insert(accountInput()).id;
      for (const name of ['../../etc/passwd', `${'A'.repeat(32)}.eml`, 'x.eml']) {
        expect(() =>
          store.outbox.enqueue({ ...entry(store, accountId), file: { name, size: 1 } }),
        ).toThrow(/entry\.file/);
      }
      expect(() =>
        store.outbox.enqueue({ ...entry(store, accountId), file: { name: FILE_NAME, size: 0 } }),
      ).toThrow(/entry\.file/);
      expect(store.outbox.listQueued()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
