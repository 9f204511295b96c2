// `sealpost list`, `search`, `flag`, `move`, `delete` and `read` as a script runs them. List
// rows and search hits show the same read state and encryption words. A moved message keeps
// its id through the sync, `read` names a queued delete, and counts read "1 change" but
// "2 new messages". An unknown id is MESSAGE_NOT_FOUND in read, flag, move and delete alike.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCliUser, deliverPlain, runSealpost } from './cli-runner.ts';
import { uniqueAddress } from '../e2e/stack.ts';

interface ListedMessage {
  id: number;
  folder: string;
  subject: string | null;
  unread: boolean;
  flagged: boolean;
}

// Each command is a new process that unlocks the data folder, so a test runs many seconds.
describe('message actions on the command line', { timeout: 300_000 }, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-actions-cli-'));
  const user = { address: uniqueAddress('actions'), home: path.join(work, 'user') };
  const passphraseFile = path.join(work, 'passphrase');
  const sealpost = (args: string[]) =>
    runSealpost(user.home, [...args, '--passphrase-file', passphraseFile]);

  async function listed(folder = 'INBOX'): Promise<ListedMessage[]> {
    const result = await sealpost(['list', '--folder', folder, '--json']);
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as ListedMessage[];
  }

  async function idOf(subject: string, folder = 'INBOX'): Promise<number> {
    const message = (await listed(folder)).find((entry) => entry.subject === subject);
    expect(message, `${subject} in ${folder}`).toBeDefined();
    return message!.id;
  }

  function rowOf(output: string, id: number): string {
    const row = output.split('\n').find((line) => line.startsWith(`${id}\t`));
    expect(row, `row of message ${id} in:\n${output}`).toBeDefined();
    return row!;
  }

  beforeAll(async () => {
    writeFileSync(passphraseFile, 'message actions passphrase\n');
    await addCliUser(user, work, ['--passphrase-file', passphraseFile]);
    await deliverPlain(user.address, 'Subject: Marker check', 'Quarterly marker text.\r\n');
    // A second message keeps a higher id in use, so a new id would differ from the old one.
    await deliverPlain(user.address, 'Subject: Stays', 'Stays in the INBOX.\r\n');
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('sync counts new messages', async () => {
    const synced = await sealpost(['sync']);
    expect(synced.status).toBe(0);
    expect(synced.stdout).toContain(`${user.address}: 2 new messages\n`);
  });

  it('list and search show markers', async () => {
    const id = await idOf('Marker check');
    const before = rowOf((await sealpost(['list'])).stdout, id).split('\t');
    expect(before[2]!.trim()).toBe('unread');
    expect(before[3]!.trim()).toBe('plain');

    const flagged = await sealpost(['flag', String(id), '--add', '\\Flagged']);
    expect(flagged.stderr).toBe('');
    expect(flagged.stdout).toBe('Changed. 1 change waits for "sealpost sync".\n');

    const listRow = rowOf((await sealpost(['list'])).stdout, id).split('\t');
    expect(listRow[2]!.trim()).toBe('unread flagged');
    const searchRow = rowOf((await sealpost(['search', 'quarterly'])).stdout, id).split('\t');
    expect(searchRow[2]).toBe('INBOX');
    expect(searchRow.slice(3)).toEqual(listRow.slice(2));

    const hits = JSON.parse((await sealpost(['search', 'quarterly', '--json'])).stdout) as Array<
      ListedMessage & { mode: string | null }
    >;
    expect(hits.find((hit) => hit.id === id)).toMatchObject({
      unread: true,
      flagged: true,
      mode: null,
    });
    expect((await listed()).find((entry) => entry.id === id)).toMatchObject({
      unread: true,
      flagged: true,
    });
  });

  it('move keeps the id', async () => {
    const id = await idOf('Marker check');
    const moved = await sealpost(['move', String(id), 'Trash']);
    expect(moved.stderr).toBe('');
    expect(moved.status).toBe(0);
    expect(moved.stdout).toBe(
      `Moved message ${id} to Trash; its id stays ${id}.\n2 changes wait for "sealpost sync".\n`,
    );
    expect(await idOf('Marker check', 'Trash')).toBe(id);
    expect((await sealpost(['read', String(id)])).stdout).toContain('Quarterly marker text.');

    expect((await sealpost(['sync'])).status).toBe(0);
    const trash = await listed('Trash');
    expect(
      trash.filter((entry) => entry.subject === 'Marker check').map((entry) => entry.id),
    ).toEqual([id]);
    expect((await listed()).map((entry) => entry.subject)).not.toContain('Marker check');
    const afterSync = await sealpost(['read', String(id)]);
    expect(afterSync.stderr).toBe('');
    expect(afterSync.stdout).toContain('Quarterly marker text.');
  });

  it('move prints JSON', async () => {
    const id = await idOf('Marker check', 'Trash');
    const moved = await sealpost(['move', String(id), 'INBOX', '--json']);
    expect(moved.status).toBe(0);
    expect(JSON.parse(moved.stdout)).toEqual({
      id,
      folder: 'INBOX',
      moved: true,
      queued: 1,
    });

    const stays = await sealpost(['move', String(await idOf('Stays')), 'INBOX']);
    expect(stays.stdout).toContain('is already in INBOX; nothing changed.');
    expect(stays.stdout).toContain('1 change waits for "sealpost sync".');
  });

  it.each([
    ['read', []],
    ['flag', ['--add', '\\Seen']],
    ['move', ['Trash']],
    ['delete', []],
  ])('%s of an unknown id is MESSAGE_NOT_FOUND', async (command, extra) => {
    const result = await sealpost([command, '999', ...extra]);
    expect(result.stderr).toContain(
      'MESSAGE_NOT_FOUND: No message with id 999; list messages with "sealpost list".',
    );
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });

  it('read names a queued delete', async () => {
    const id = await idOf('Stays');
    const deleted = await sealpost(['delete', String(id), '--permanent']);
    expect(deleted.stdout).toBe('Deleted. 2 changes wait for "sealpost sync".\n');
    const read = await sealpost(['read', String(id)]);
    expect(read.status).toBe(1);
    expect(read.stderr).toContain(`Message ${id} was deleted; the server deletes it at the next`);
  });
});
