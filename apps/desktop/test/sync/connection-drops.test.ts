// Fault test: a proxy on 127.0.0.1 cuts the IMAP connection to Dovecot at random points (by a
// seeded schedule) during the sync of a few thousand messages, over several runs. After the
// sync finally completes, the local folder equals the server's: no message lost, none
// duplicated, flags right.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import { imapOptionsFor, uniqueAddress } from '../e2e/stack.ts';
import { CuttingProxy } from './cutting-proxy.ts';
import { localSnapshot, openSyncUser, populateMailbox, serverSnapshot } from './sync-fixtures.ts';

const MESSAGE_COUNT = 2_000;
const SEEDS = [101, 202, 303];
/** Syncs tried per run before the test gives up; each cut costs one. */
const MAX_ATTEMPTS = 150;

async function syncThroughCuts(sync: () => Promise<unknown>): Promise<number> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    try {
      await sync();
      return attempt;
    } catch {
      // A cut connection; the next sync resumes.
    }
  }
  throw new Error(`sync did not complete in ${MAX_ATTEMPTS} attempts`);
}

describe('sync under dropped connections', () => {
  const address = uniqueAddress('drops');
  let proxy: CuttingProxy;

  beforeAll(async () => {
    await populateMailbox(address, MESSAGE_COUNT, 7);
    proxy = await CuttingProxy.start(1143, 1);
  });

  afterAll(async () => {
    await proxy?.close();
  });

  for (const seed of SEEDS) {
    it(`initial sync with cuts (seed ${seed})`, async () => {
      const user = await openSyncUser(address, { imap: proxy.port });
      try {
        proxy.reseed(seed);
        const cutsBefore = proxy.cuts;
        proxy.mode = { kind: 'cut-downstream', minBytes: 20_000, maxBytes: 900_000 };
        const attempts = await syncThroughCuts(() => user.sealpost.mail.sync({ account: null }));
        proxy.mode = { kind: 'pass' };

        const server = await serverSnapshot(address);
        const local = localSnapshot(user.sealpost);
        expect(proxy.cuts - cutsBefore).toBeGreaterThan(0);
        expect(attempts).toBeGreaterThan(1);
        expect(local.rows).toBe(server.size);
        expect(local.distinctMessageIds).toBe(server.size);
        expect(local.withoutBody).toBe(0);
        expect(local.flags).toEqual(server);
      } finally {
        proxy.mode = { kind: 'pass' };
        user.close();
      }
    });
  }

  it('server changes and app actions survive cuts', async () => {
    const user = await openSyncUser(address, { imap: proxy.port });
    try {
      await user.sealpost.mail.sync({ account: null });
      const session = await ImapSession.connect(imapOptionsFor(address));
      try {
        await session.storeFlags('INBOX', [10, 11, 12], { add: ['\\Flagged'], remove: [] });
        await session.expunge('INBOX', [20, 21]);
      } finally {
        await session.close();
      }
      const listed = user.sealpost.mail.list({ account: null, folder: 'INBOX' });
      for (const message of listed.slice(0, 30)) {
        user.sealpost.mail.setFlags(message.id, { add: ['\\Answered'] });
      }

      proxy.reseed(404);
      proxy.mode = { kind: 'cut-downstream', minBytes: 2_000, maxBytes: 40_000 };
      await syncThroughCuts(() => user.sealpost.mail.sync({ account: null }));
      proxy.mode = { kind: 'pass' };

      const server = await serverSnapshot(address);
      expect(localSnapshot(user.sealpost).flags).toEqual(server);
      expect(server.has(20)).toBe(false);
      for (const message of listed.slice(0, 30)) {
        expect(server.get(message.uid!)).toContain('\\Answered');
      }
      expect(
        user.sealpost.mail.folderSnapshot({ account: null, folder: 'INBOX' }).actionsPending,
      ).toBe(0);
    } finally {
      proxy.mode = { kind: 'pass' };
      user.close();
    }
  });
});
