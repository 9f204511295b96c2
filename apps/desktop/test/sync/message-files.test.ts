// MessageFiles against the real file system: a message written in records reads back
// byte-identical, the file contains no plaintext, and a changed, cut or extended file or a wrong
// key raises MESSAGE_FILE_DAMAGED. A failed write leaves nothing, and removeOrphans deletes
// old files that no message refers to.

import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageFiles, ORPHAN_AGE_MS, RECORD_BYTES } from '../../src/core/message-files.ts';

const CANARY = Buffer.from('canary-7f3a9c-plaintext-of-a-large-message');

/** Returns a message of `size` bytes with the canary at its start, middle and end. */
function messageOf(size: number): Buffer {
  const message = randomBytes(size);
  for (const at of [0, Math.floor(size / 2), size - CANARY.length]) CANARY.copy(message, at);
  return message;
}

/** Yields `bytes` in chunks of `chunk` bytes, as a download does. */
async function* chunks(bytes: Buffer, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    yield bytes.subarray(offset, offset + chunk);
  }
}

async function readAll(files: MessageFiles, file: Parameters<MessageFiles['read']>[0]) {
  const parts: Buffer[] = [];
  for await (const part of files.read(file)) parts.push(part);
  return Buffer.concat(parts);
}

describe('MessageFiles', () => {
  let root: string;
  let files: MessageFiles;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sealpost-message-files-'));
    files = new MessageFiles(path.join(root, 'messages'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads back what it wrote', async () => {
    for (const size of [1, RECORD_BYTES, 2 * RECORD_BYTES + 12_345]) {
      const message = messageOf(Math.max(size, CANARY.length));
      const file = await files.write(chunks(message, 100_000));
      expect(file.size).toBe(message.length);
      expect((await readAll(files, file)).equals(message)).toBe(true);
    }
  });

  it('writes no plaintext to disk', async () => {
    const message = messageOf(3 * RECORD_BYTES);
    const file = await files.write(chunks(message));
    expect(readdirSync(files.folder)).toEqual([file.name]);
    expect(statSync(files.pathOf(file.name)).mode & 0o777).toBe(0o600);
    expect(statSync(files.folder).mode & 0o777).toBe(0o700);
    expect(readFileSync(files.pathOf(file.name)).includes(CANARY)).toBe(false);
  });

  it('rejects a changed byte', async () => {
    const file = await files.write(chunks(messageOf(2 * RECORD_BYTES)));
    const bytes = readFileSync(files.pathOf(file.name));
    bytes[RECORD_BYTES + 100]! ^= 1;
    writeFileSync(files.pathOf(file.name), bytes);
    await expect(readAll(files, file)).rejects.toMatchObject({ code: 'MESSAGE_FILE_DAMAGED' });
  });

  it('rejects a cut or extended file', async () => {
    const file = await files.write(chunks(messageOf(2 * RECORD_BYTES + 10)));
    const full = statSync(files.pathOf(file.name)).size;
    truncateSync(files.pathOf(file.name), full - 1);
    await expect(readAll(files, file)).rejects.toMatchObject({ code: 'MESSAGE_FILE_DAMAGED' });
    truncateSync(files.pathOf(file.name), full - 1 - (RECORD_BYTES + 16));
    await expect(readAll(files, file)).rejects.toMatchObject({ code: 'MESSAGE_FILE_DAMAGED' });

    const other = await files.write(chunks(messageOf(100)));
    appendFileSync(files.pathOf(other.name), Buffer.alloc(1));
    await expect(readAll(files, other)).rejects.toMatchObject({ code: 'MESSAGE_FILE_DAMAGED' });
  });

  it('rejects a wrong key or size', async () => {
    const file = await files.write(chunks(messageOf(1000)));
    const wrongKey = { ...file, key: Buffer.alloc(32, 1) };
    await expect(readAll(files, wrongKey)).rejects.toMatchObject({ code: 'MESSAGE_FILE_DAMAGED' });
    const wrongSize = { ...file, size: file.size - 1 };
    await expect(readAll(files, wrongSize)).rejects.toMatchObject({
      code: 'MESSAGE_FILE_DAMAGED',
    });
  });

  it('leaves nothing after a failed download', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield messageOf(RECORD_BYTES + 5);
      throw new Error('connection lost');
    }
    await expect(files.write(failing())).rejects.toThrow('connection lost');
    expect(readdirSync(files.folder)).toEqual([]);
    await expect(files.write(chunks(Buffer.alloc(0)))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(readdirSync(files.folder)).toEqual([]);
  });

  it('removes old files without a message', async () => {
    const kept = await files.write(chunks(messageOf(100)));
    const orphan = await files.write(chunks(messageOf(100)));
    const partial = `${'c'.repeat(32)}.msg.part`;
    writeFileSync(path.join(files.folder, partial), 'cut');
    const young = await files.write(chunks(messageOf(100)));
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    for (const name of [kept.name, orphan.name, partial]) {
      utimesSync(path.join(files.folder, name), old, old);
    }
    writeFileSync(path.join(files.folder, 'notes.txt'), 'not ours');
    utimesSync(path.join(files.folder, 'notes.txt'), old, old);

    const removed = await files.removeOrphans(new Set([kept.name]));
    expect(removed.sort()).toEqual([orphan.name, partial].sort());
    expect(readdirSync(files.folder).sort()).toEqual([kept.name, young.name, 'notes.txt'].sort());
  });

  it('rejects a name that is a path', () => {
    expect(() => files.pathOf('../sealpost.db')).toThrow(/invalid/);
    expect(() => files.pathOf(`${'a'.repeat(32)}.eml`)).toThrow(/invalid/);
  });
});
