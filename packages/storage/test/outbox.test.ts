import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { NewOutboxEntry, Store } from '../src/index.ts';
import { accountInput, openMemory } from './helpers.ts';

describe('OutboxRepository', () => {
  let store: Store;
  let entryInput: NewOutboxEntry;
  beforeEach(() => {
    store = openMemory();
    const account = store.accounts.insert(accountInput());
    entryInput = {
      accountId: account.id,
      raw: Buffer.from('From: alice@example.org\r\n\r\n\x00\xff', 'latin1'),
      envelopeFrom: 'alice@example.org',
      envelopeTo: ['Bob@Example.net', 'carol@example.com'],
    };
  });
  afterEach(() => store.close());

  it('runs queued, sending, sent, removed', () => {
    const queued = store.outbox.enqueue(entryInput);
    expect(queued).toMatchObject({ state: 'queued', attempts: 0, lastError: null, sentAt: null });
    expect(queued.envelopeTo).toEqual(['bob@example.net', 'carol@example.com']);
    expect(Buffer.compare(queued.raw, Buffer.from(entryInput.raw))).toBe(0);
    expect(store.outbox.listQueued().map((entry) => entry.id)).toEqual([queued.id]);

    const sending = store.outbox.markSending(queued.id);
    expect(sending).toMatchObject({ state: 'sending', attempts: 1 });
    expect(store.outbox.listQueued()).toEqual([]);

    const sent = store.outbox.markSent(queued.id);
    expect(sent.state).toBe('sent');
    expect(sent.sentAt).toBeInstanceOf(Date);

    store.outbox.remove(queued.id);
    expect(store.outbox.get(queued.id)).toBeNull();
  });

  it('requeues after a temporary failure', () => {
    const { id } = store.outbox.enqueue(entryInput);
    store.outbox.markSending(id);
    const retried = store.outbox.markFailed(id, '451 4.3.0 try again later', { retry: true });
    expect(retried).toMatchObject({
      state: 'queued',
      lastError: '451 4.3.0 try again later',
      attempts: 1,
    });
    store.outbox.markSending(id);
    expect(store.outbox.get(id)?.attempts).toBe(2);
  });

  it('keeps a permanent failure until requeued', () => {
    const { id } = store.outbox.enqueue(entryInput);
    store.outbox.markSending(id);
    const failed = store.outbox.markFailed(id, '550 5.1.1 no such user');
    expect(failed.state).toBe('failed');
    expect(store.outbox.listQueued()).toEqual([]);
    expect(store.outbox.listFailed().map((entry) => entry.id)).toEqual([id]);

    expect(store.outbox.requeue(id).state).toBe('queued');
  });

  it('rejects transitions from the wrong state', () => {
    const { id } = store.outbox.enqueue(entryInput);
    expect(() => store.outbox.markSent(id)).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => store.outbox.markFailed(id, 'x')).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    store.outbox.markSending(id);
    expect(() => store.outbox.markSending(id)).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => store.outbox.remove(id)).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
    expect(() => store.outbox.markSending(999)).toThrow(
      expect.objectContaining({ code: 'OUTBOX_ENTRY_NOT_FOUND' }),
    );
  });

  it('requeues entries interrupted while sending', () => {
    const first = store.outbox.enqueue(entryInput);
    const second = store.outbox.enqueue(entryInput);
    store.outbox.markSending(first.id);
    expect(store.outbox.requeueInterrupted()).toBe(1);
    expect(store.outbox.listQueued().map((entry) => entry.id)).toEqual([first.id, second.id]);
  });

  it('filters the queue by account', () => {
    const other = store.accounts.insert(accountInput('bob@example.net'));
    store.outbox.enqueue(entryInput);
    store.outbox.enqueue({ ...entryInput, accountId: other.id });
    expect(store.outbox.listQueued(other.id).map((entry) => entry.accountId)).toEqual([other.id]);
    expect(store.outbox.listQueued()).toHaveLength(2);
  });

  it('validates the envelope and the account', () => {
    expect(() => store.outbox.enqueue({ ...entryInput, envelopeTo: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => store.outbox.enqueue({ ...entryInput, accountId: 99 })).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }),
    );
  });
});
