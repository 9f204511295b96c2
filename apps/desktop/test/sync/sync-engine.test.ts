// Sync engine against the real Dovecot: headers-first initial sync with progress, flags both
// ways with CONDSTORE/QRESYNC, expunges, moves and deletes made in the app, the offline queue,
// and a UIDVALIDITY change.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapSession } from '@sealpost/mail-transport';
import type { SyncProgress } from '../../src/core/sync.ts';
import { imapOptionsFor, repositoryRoot, uniqueAddress } from '../e2e/stack.ts';
import { CuttingProxy } from './cutting-proxy.ts';
import {
  localSnapshot,
  openSyncUser,
  populateMailbox,
  serverSnapshot,
  type SyncUser,
} from './sync-fixtures.ts';

const MESSAGE_COUNT = 1_100;

describe('sync engine', () => {
  const address = uniqueAddress('sync');
  let user: SyncUser;
  let proxy: CuttingProxy;
  const progress: SyncProgress[] = [];

  beforeAll(async () => {
    await populateMailbox(address, MESSAGE_COUNT, 11);
    proxy = await CuttingProxy.start(1143, 1);
    user = await openSyncUser(address, { imap: proxy.port });
    await user.sealpost.mail.sync({ account: null, onProgress: (event) => progress.push(event) });
  });

  afterAll(async () => {
    user?.close();
    await proxy?.close();
  });

  it('initial sync stores every message once', async () => {
    const server = await serverSnapshot(address);
    const local = localSnapshot(user.sealpost);
    expect(server.size).toBe(MESSAGE_COUNT);
    expect(local.rows).toBe(MESSAGE_COUNT);
    expect(local.distinctMessageIds).toBe(MESSAGE_COUNT);
    expect(local.withoutBody).toBe(0);
    expect(local.flags).toEqual(server);
  });

  it('initial sync reports headers before bodies', () => {
    const inbox = progress.filter((event) => event.folder === 'INBOX');
    const firstBodies = inbox.findIndex((event) => event.phase === 'bodies');
    const lastHeaders = inbox.map((event) => event.phase).lastIndexOf('headers');
    expect(inbox[0]!.phase).toBe('headers');
    expect(inbox[0]!.total).toBe(MESSAGE_COUNT);
    expect(lastHeaders).toBeLessThan(firstBodies);
    expect(inbox.filter((event) => event.phase === 'headers').length).toBe(3);
    expect(inbox.at(-1)).toMatchObject({ phase: 'bodies', done: MESSAGE_COUNT });
  });

  it('server flag changes and expunges reach the store', async () => {
    const session = await ImapSession.connect(imapOptionsFor(address));
    try {
      await session.storeFlags('INBOX', [1, 2, 3], { add: ['\\Flagged'], remove: [] });
      await session.storeFlags('INBOX', [4], { add: [], remove: ['\\Seen'] });
      await session.expunge('INBOX', [5, 6]);
    } finally {
      await session.close();
    }
    const report = await user.sealpost.mail.sync({ account: null });
    const inbox = report.accounts[0]!.folders.find((folder) => folder.path === 'INBOX')!;

    expect(inbox.expunged).toBe(2);
    expect(localSnapshot(user.sealpost).flags).toEqual(await serverSnapshot(address));
  });

  it('flags set in the app reach the server', async () => {
    const [message] = user.sealpost.mail.list({ account: null, folder: 'INBOX' });
    user.sealpost.mail.setFlags(message!.id, { add: ['\\Answered', '\\Seen'] });
    await user.sealpost.mail.sync({ account: null });

    const server = await serverSnapshot(address);
    expect(server.get(message!.uid!)).toContain('\\Answered');
    expect(server.get(message!.uid!)).toContain('\\Seen');
    expect(localSnapshot(user.sealpost).flags).toEqual(server);
  });

  it('offline actions are queued and replayed once', async () => {
    const [first, second, third] = user.sealpost.mail.list({ account: null, folder: 'INBOX' });
    proxy.mode = { kind: 'refuse' };
    user.sealpost.mail.setFlags(first!.id, { add: ['\\Flagged'] });
    user.sealpost.mail.delete(second!.id, { permanent: true });
    user.sealpost.mail.move(third!.id, 'Trash');
    await expect(user.sealpost.mail.sync({ account: null })).rejects.toThrow();

    // The app shows the changes at once, before the server has them.
    const offline = localSnapshot(user.sealpost);
    expect(offline.flags.get(first!.uid!)).toContain('\\Flagged');
    expect(offline.flags.has(second!.uid!)).toBe(false);

    proxy.mode = { kind: 'pass' };
    const report = await user.sealpost.mail.sync({ account: null });
    expect(report.accounts[0]!.actionsReplayed).toBe(3);

    const server = await serverSnapshot(address);
    expect(server.get(first!.uid!)).toContain('\\Flagged');
    expect(server.has(second!.uid!)).toBe(false);
    expect(server.has(third!.uid!)).toBe(false);
    expect(localSnapshot(user.sealpost).flags).toEqual(server);
    const trash = user.sealpost.mail.list({ account: null, folder: 'Trash' });
    expect(trash.map((message) => message.messageId)).toEqual([third!.messageId]);
  });

  it('a new UIDVALIDITY refetches without duplicates', async () => {
    const config = path.join(repositoryRoot, '.mail-stack', 'dovecot.conf');
    execFileSync('doveadm', [
      '-c',
      config,
      'mailbox',
      'update',
      '-u',
      address,
      '--uid-validity',
      '777',
      'INBOX',
    ]);
    const report = await user.sealpost.mail.sync({ account: null });
    const inbox = report.accounts[0]!.folders.find((folder) => folder.path === 'INBOX')!;
    const server = await serverSnapshot(address);
    const local = localSnapshot(user.sealpost);

    expect(inbox.uidValidityChanged).toBe(true);
    expect(local.rows).toBe(server.size);
    expect(local.distinctMessageIds).toBe(server.size);
    expect(local.flags).toEqual(server);
  });
});
