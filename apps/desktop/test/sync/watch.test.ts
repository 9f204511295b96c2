// Watching and parallel accounts against the real Dovecot. A message delivered while `watch`
// idles on INBOX is stored within a bounded number of sync rounds, with polling set far beyond
// the test's timeout, so only IDLE (RFC 2177) can have woken it. Two accounts sync in
// parallel, one behind a proxy that accepts and then stalls: the other one finishes meanwhile.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sealpost } from '../../src/core/sealpost.ts';
import type { SyncReport } from '../../src/core/sync.ts';
import { ImapSession } from '@sealpost/mail-transport';
import {
  IMAP_STARTTLS_PORT,
  imapOptionsFor,
  SMTP_SUBMISSION_PORT,
  stackCertificate,
  stackPassword,
  uniqueAddress,
} from '../e2e/stack.ts';
import { CuttingProxy } from './cutting-proxy.ts';
import {
  createSyncHome,
  plainMessage,
  populateMailbox,
  serverSnapshot,
  type SyncHome,
} from './sync-fixtures.ts';

/** Sync rounds allowed between the delivery and the message being stored. */
const MAX_ROUNDS_AFTER_DELIVERY = 3;

function storedUids(sealpost: Sealpost, account: string): number[] {
  return sealpost.mail
    .folderSnapshot({ account, folder: 'INBOX' })
    .messages.map((message) => message.uid!)
    .sort((a, b) => a - b);
}

describe('watch with IDLE', () => {
  const address = uniqueAddress('watch');
  let home: SyncHome;
  let sealpost: Sealpost;

  beforeAll(async () => {
    await populateMailbox(address, 5, 41);
    home = await createSyncHome(address);
    sealpost = await home.open();
  });

  afterAll(() => {
    sealpost?.close();
    home?.remove();
  });

  it('stores a delivered message within a few rounds', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const rounds: SyncReport[] = [];
    const errors: unknown[] = [];
    let wake: () => void = () => {};
    const watching = sealpost.mail.watch({
      account: null,
      folder: 'INBOX',
      pollIntervalMs: 60 * 60_000,
      signal: controller.signal,
      onSynced: (report) => {
        rounds.push(report);
        wake();
      },
      onError: (error) => errors.push(error),
    });
    const nextRound = () => new Promise<void>((resolve) => (wake = resolve));

    try {
      await expect.poll(() => rounds.length, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(storedUids(sealpost, address)).toHaveLength(5);

      const roundsBefore = rounds.length;
      const session = await ImapSession.connect(imapOptionsFor(address));
      try {
        await session.append('INBOX', plainMessage(address, 99, 2_000), []);
      } finally {
        await session.close();
      }

      while (storedUids(sealpost, address).length < 6) {
        expect(rounds.length - roundsBefore).toBeLessThan(MAX_ROUNDS_AFTER_DELIVERY);
        await nextRound();
      }
      expect(errors).toEqual([]);
      const arrived = rounds
        .slice(roundsBefore)
        .flatMap((report) => report.accounts[0]!.folders)
        .filter((folder) => folder.path === 'INBOX')
        .reduce((sum, folder) => sum + folder.newMessages, 0);
      expect(arrived).toBe(1);
    } finally {
      controller.abort();
      await watching;
    }
  });
});

describe('parallel accounts', () => {
  const fast = uniqueAddress('parallel-fast');
  const stalled = uniqueAddress('parallel-stalled');
  let proxy: CuttingProxy;
  let home: SyncHome;
  let sealpost: Sealpost;

  beforeAll(async () => {
    await populateMailbox(fast, 40, 51);
    await populateMailbox(stalled, 3, 52);
    proxy = await CuttingProxy.start(IMAP_STARTTLS_PORT, 1);
    home = await createSyncHome(fast);
    sealpost = await home.open();
    const server = { host: '127.0.0.1', user: stalled };
    await sealpost.accounts.add({
      email: stalled,
      displayName: null,
      imap: { ...server, port: proxy.port, security: 'starttls' },
      smtp: { ...server, port: SMTP_SUBMISSION_PORT, security: 'starttls' },
      password: stackPassword(stalled),
      pinnedCertificate: stackCertificate(),
    });
  });

  afterAll(async () => {
    sealpost?.close();
    home?.remove();
    await proxy?.close();
  });

  it('one stalled account does not hold up the other', { timeout: 90_000 }, async () => {
    proxy.mode = { kind: 'stall' };
    let settled = false;
    const sync = sealpost.mail.sync({ account: null });
    const outcome = sync.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    void outcome.then(() => (settled = true));

    // The fast account completes while the other one still waits for its greeting.
    const complete = () => {
      const snapshot = sealpost.mail.folderSnapshot({ account: fast, folder: 'INBOX' });
      return snapshot.messages.length === 40 && snapshot.bodiesPending === 0;
    };
    await expect.poll(complete, { timeout: 30_000 }).toBe(true);
    expect(settled).toBe(false);

    const error = await outcome;
    expect(error).toMatchObject({ code: 'IMAP_CONNECTION_FAILED' });
    const server = await serverSnapshot(fast);
    expect(storedUids(sealpost, fast)).toEqual([...server.keys()].sort((a, b) => a - b));

    proxy.mode = { kind: 'pass' };
    await sealpost.mail.sync({ account: null });
    expect(storedUids(sealpost, stalled)).toHaveLength(3);
  });
});
