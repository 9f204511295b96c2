// Archiving against the local Dovecot, whose fresh users have no archive folder: the first
// archive creates "Archive", subscribes it and moves the message there on the next sync. A
// folder named archive that only the server lists yet is used instead of creating one, and
// \Archive (RFC 6154) wins over a folder named Archive.

import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseArchiveFolder } from '../../src/core/sync/archive-folder.ts';
import { stackCertificate, stackPassword, uniqueAddress } from '../e2e/stack.ts';
import { openSyncUser, populateMailbox, serverSnapshot, type SyncUser } from './sync-fixtures.ts';

/** Runs IMAP `commands` as `address` over IMAPS and returns the server's whole output. */
async function imapTranscript(address: string, commands: string[]): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port: 1993, ca: stackCertificate() });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  const waitFor = async (pattern: RegExp) => {
    for (let attempt = 0; attempt < 200 && !pattern.test(received); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!pattern.test(received)) throw new Error(`IMAP: no ${pattern} in ${received}`);
  };
  try {
    await waitFor(/^\* OK/m);
    const all = [`LOGIN "${address}" "${stackPassword(address)}"`, ...commands, 'LOGOUT'];
    for (const [index, command] of all.entries()) {
      socket.write(`t${index} ${command}\r\n`);
      await waitFor(new RegExp(`^t${index} (OK|NO|BAD)`, 'm'));
    }
    return received;
  } finally {
    socket.end();
  }
}

/** Returns the folder names of a LIST or LSUB response. */
function listedNames(transcript: string, command: 'LIST' | 'LSUB'): string[] {
  const pattern = new RegExp(`^\\* ${command} \\([^)]*\\) "[^"]*" "?([^"\\r\\n]+)"?\\r?$`, 'gm');
  return [...transcript.matchAll(pattern)].map((match) => match[1]!);
}

let user: SyncUser | null = null;

afterEach(() => {
  user?.close();
  user = null;
});

async function userWithInbox(role: string, messages: number): Promise<SyncUser> {
  const address = uniqueAddress(role);
  await populateMailbox(address, messages, 7);
  user = await openSyncUser(address);
  await user.sealpost.mail.sync({ account: null });
  return user;
}

function inboxIds(opened: SyncUser): number[] {
  return opened.sealpost.mail.list({ account: null, folder: 'INBOX' }).map((item) => item.id);
}

describe('archive folder choice', () => {
  it('prefers \\Archive over the name', () => {
    const folders = [
      { path: 'Archive', specialUse: null },
      { path: 'Saved', specialUse: '\\Archive' },
    ];
    expect(chooseArchiveFolder(folders)?.path).toBe('Saved');
  });

  it('matches the name in any case', () => {
    expect(chooseArchiveFolder([{ path: 'ARCHIVE', specialUse: null }])?.path).toBe('ARCHIVE');
    expect(chooseArchiveFolder([{ path: 'Archives', specialUse: null }])).toBeNull();
    expect(chooseArchiveFolder([{ path: 'Work/Archive', specialUse: null }])).toBeNull();
  });
});

describe('archive without an archive folder', () => {
  it('creates and subscribes Archive', async () => {
    const opened = await userWithInbox('archive-new', 2);
    const before = await imapTranscript(opened.address, ['LIST "" "*"']);
    expect(listedNames(before, 'LIST')).not.toContain('Archive');

    const [first, second] = inboxIds(opened);
    const folder = await opened.sealpost.pages.archiveFolderFor(first!);
    expect(folder).toBe('Archive');

    const after = await imapTranscript(opened.address, ['LIST "" "*"', 'LSUB "" "*"']);
    expect(listedNames(after, 'LIST')).toContain('Archive');
    expect(listedNames(after, 'LSUB')).toContain('Archive');

    // A second archive finds the stored folder and creates nothing.
    expect(await opened.sealpost.pages.archiveFolderFor(second!)).toBe('Archive');
    const again = await imapTranscript(opened.address, ['LIST "" "*"']);
    expect(listedNames(again, 'LIST').filter((name) => /^archive$/i.test(name))).toEqual([
      'Archive',
    ]);
  });

  it('moves the message there on sync', async () => {
    const opened = await userWithInbox('archive-move', 2);
    const [first] = inboxIds(opened);

    // The steps of the mail:archive handler.
    const folder = await opened.sealpost.pages.archiveFolderFor(first!);
    opened.sealpost.mail.move(first!, folder);
    await opened.sealpost.mail.sync({ account: null });

    expect((await serverSnapshot(opened.address, 'Archive')).size).toBe(1);
    expect((await serverSnapshot(opened.address, 'INBOX')).size).toBe(1);
    const archived = opened.sealpost.mail.list({ account: null, folder: 'Archive' });
    expect(archived.map((item) => item.id)).toHaveLength(1);
  });

  it('uses a folder only the server lists', async () => {
    const opened = await userWithInbox('archive-server', 1);
    await imapTranscript(opened.address, ['CREATE "archive"']);

    const [first] = inboxIds(opened);
    expect(await opened.sealpost.pages.archiveFolderFor(first!)).toBe('archive');

    const after = await imapTranscript(opened.address, ['LIST "" "*"']);
    expect(listedNames(after, 'LIST')).toContain('archive');
    expect(listedNames(after, 'LIST')).not.toContain('Archive');
  });
});
