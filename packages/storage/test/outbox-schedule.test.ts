import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Store } from '../src/index.ts';
import { openMemory, seedFolder } from './helpers.ts';

describe('OutboxScheduleRepository', () => {
  let store: Store;
  let accountId: number;
  beforeEach(() => {
    store = openMemory();
    ({ accountId } = seedFolder(store));
  });
  afterEach(() => store.close());

  const enqueue = () =>
    store.outbox.enqueue({
      accountId,
      raw: Buffer.from('Subject: x\r\n\r\nbody\r\n'),
      envelopeFrom: 'alice@example.org',
      envelopeTo: ['bob@example.net'],
    }).id;

  it('lists entries whose retry time has come', () => {
    const now = enqueue();
    const later = enqueue();
    store.outboxSchedule.setNextAttempt(later, new Date(Date.UTC(2030, 0, 1)));
    expect(store.outboxSchedule.listDue(accountId, new Date(Date.UTC(2029, 0, 1)))).toEqual([now]);
    expect(store.outboxSchedule.listDue(accountId, new Date(Date.UTC(2030, 0, 1)))).toEqual([
      now,
      later,
    ]);
    expect(store.outboxSchedule.nextAttemptAt(later)).toEqual(new Date(Date.UTC(2030, 0, 1)));
    store.outboxSchedule.setNextAttempt(later, null);
    expect(store.outboxSchedule.nextAttemptAt(later)).toBeNull();
  });

  it('lists only queued entries as due and sent ones as sent', () => {
    const sending = enqueue();
    const sent = enqueue();
    store.outbox.markSending(sending);
    store.outbox.markSending(sent);
    store.outbox.markSent(sent);
    expect(store.outboxSchedule.listDue(accountId, new Date())).toEqual([]);
    expect(store.outboxSchedule.listSent(accountId)).toEqual([sent]);
  });

  it('requeues only entries with a stale heartbeat', () => {
    const abandoned = enqueue();
    const live = enqueue();
    store.outbox.markSending(abandoned);
    store.outbox.markSending(live);
    const cutoff = new Date(Date.now() + 60_000);
    store.outboxSchedule.touchSending(live, new Date(cutoff.getTime() + 1));

    expect(store.outboxSchedule.requeueStale(accountId, cutoff)).toEqual([abandoned]);
    expect(store.outbox.get(abandoned)!.state).toBe('queued');
    expect(store.outbox.get(live)!.state).toBe('sending');
    expect(store.outboxSchedule.listDue(accountId, new Date())).toEqual([abandoned]);
  });

  it('leaves queued and sent entries alone when touched', () => {
    const queued = enqueue();
    const before = store.outbox.get(queued)!.updatedAt;
    store.outboxSchedule.touchSending(queued, new Date(Date.UTC(2030, 0, 1)));
    expect(store.outbox.get(queued)!.updatedAt).toEqual(before);
    expect(store.outboxSchedule.requeueStale(accountId, new Date(Date.UTC(2031, 0, 1)))).toEqual(
      [],
    );
  });

  it('rejects an invalid date', () => {
    expect(() => store.outboxSchedule.setNextAttempt(enqueue(), new Date(Number.NaN))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
  });
});
