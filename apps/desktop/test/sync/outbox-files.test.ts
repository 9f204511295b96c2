// OutboxFiles against the real file system. A written file appears only under its final name,
// and a failed write leaves nothing. removeOrphans deletes old files that no entry refers to,
// and keeps referenced ones and files young enough to belong to a send in progress.

import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORPHAN_AGE_MS, OutboxFiles } from '../../src/core/outbox-files.ts';

describe('OutboxFiles', () => {
  let root: string;
  let files: OutboxFiles;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sealpost-outbox-files-'));
    files = new OutboxFiles(path.join(root, 'outbox'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a complete file owner-only', async () => {
    const file = await files.write(async (output) => {
      output.write('Message-ID: <a@example.org>\r\n\r\n');
      output.end('body\r\n');
    });
    expect(file.size).toBe(37);
    expect(readdirSync(files.folder)).toEqual([file.name]);
    expect(statSync(files.pathOf(file.name)).mode & 0o777).toBe(0o600);
    expect(statSync(files.folder).mode & 0o777).toBe(0o700);
  });

  it('leaves nothing after a failed write', async () => {
    const failed = files.write(async (output) => {
      output.write('partial');
      throw new Error('encryption failed');
    });
    await expect(failed).rejects.toThrow('encryption failed');
    expect(readdirSync(files.folder)).toEqual([]);
  });

  it('rejects a name outside the folder', () => {
    expect(() => files.pathOf('../sealpost.db')).toThrow(/invalid/);
  });

  it('removes only old unreferenced files', async () => {
    const kept = await files.write(async (output) => {
      output.end('kept');
    });
    const orphan = await files.write(async (output) => {
      output.end('orphan');
    });
    const young = await files.write(async (output) => {
      output.end('young');
    });
    const partial = `${'f'.repeat(32)}.eml.part`;
    writeFileSync(path.join(files.folder, partial), 'partial');
    writeFileSync(path.join(files.folder, 'notes.txt'), 'not ours');
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    for (const name of [kept.name, orphan.name, partial, 'notes.txt']) {
      utimesSync(path.join(files.folder, name), old, old);
    }

    const removed = await files.removeOrphans(new Set([kept.name]));

    expect(removed.sort()).toEqual([orphan.name, partial].sort());
    expect(readdirSync(files.folder).sort()).toEqual([kept.name, young.name, 'notes.txt'].sort());
  });

  it('finds no orphans without a folder', async () => {
    expect(await files.removeOrphans(new Set())).toEqual([]);
  });
});
