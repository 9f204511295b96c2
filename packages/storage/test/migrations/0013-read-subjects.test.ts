// Migration 13 adds the Subject a successful read showed to messages, and the user's Subject to
// outbox entries. Rows stored before it keep null in both, so a list still shows the hint for
// encrypted mail that was never read and an outbox entry without a Subject.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../src/migrations/index.ts';
import { openDatabase } from '../../src/index.ts';
import { makeTempDir, receivedMessage, seedFolder } from '../helpers.ts';

function outboxEntry(accountId: number, subject?: string | null) {
  return {
    accountId,
    raw: Buffer.from('Message-ID: <a@example.org>\r\nSubject: [...]\r\n\r\n'),
    envelopeFrom: 'alice@example.org',
    envelopeTo: ['bob@example.net'],
    ...(subject === undefined ? {} : { subject }),
  };
}

describe('migration 0013 read subjects', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('upgrades a version 12 database', () => {
    const file = `${temp.dir}/mail.db`;
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 12) });
    expect(old.schemaVersion).toBe(12);
    const { accountId, folderId } = seedFolder(old);
    const messageId = old.messages.insertReceived(receivedMessage(folderId, 1)).id;
    const queued = old.outbox.enqueue(outboxEntry(accountId));
    old.close();

    const store = openDatabase(file);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(13);
      expect(store.messages.get(messageId)!.readSubject).toBeNull();
      expect(store.outbox.get(queued.id)!.subject).toBeNull();
    } finally {
      store.close();
    }
  });

  it('keeps a read subject across reopening', () => {
    const file = `${temp.dir}/mail.db`;
    const first = openDatabase(file);
    const { folderId } = seedFolder(first);
    const read = first.messages.insertReceived(receivedMessage(folderId, 1)).id;
    const empty = first.messages.insertReceived(receivedMessage(folderId, 2)).id;
    const unread = first.messages.insertReceived(receivedMessage(folderId, 3)).id;
    first.messages.setReadSubject(read, 'Quarterly report');
    first.messages.setReadSubject(empty, '');
    first.close();

    const store = openDatabase(file);
    try {
      expect(store.messages.get(read)!.readSubject).toBe('Quarterly report');
      expect(store.messages.get(empty)!.readSubject).toBe('');
      expect(store.messages.get(unread)!.readSubject).toBeNull();
      const listed = store.messages.listByFolder(folderId).find((message) => message.id === read);
      expect(listed!.readSubject).toBe('Quarterly report');
    } finally {
      store.close();
    }
  });

  it('rejects a read subject for an unknown message', () => {
    const store = openDatabase(`${temp.dir}/mail.db`);
    try {
      expect(() => store.messages.setReadSubject(999, 'x')).toThrow(/Message 999 not found/);
    } finally {
      store.close();
    }
  });

  it('stores the subject of an outbox entry', () => {
    const store = openDatabase(`${temp.dir}/mail.db`);
    try {
      const { accountId } = seedFolder(store);
      const withSubject = store.outbox.enqueue(outboxEntry(accountId, 'Lunch on Friday'));
      const without = store.outbox.enqueue(outboxEntry(accountId));
      expect(withSubject.subject).toBe('Lunch on Friday');
      expect(without.subject).toBeNull();
      expect(store.outbox.listQueued().map((entry) => entry.subject)).toEqual([
        'Lunch on Friday',
        null,
      ]);
    } finally {
      store.close();
    }
  });
});
