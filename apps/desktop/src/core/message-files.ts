// Encrypted message files of the data folder (folder "messages", owner-only): the bodies of
// large received messages, kept out of the database. Each file is encrypted with AES-256-GCM
// (Node.js crypto) under its own random key, which is stored only in the message's database
// row, so deleting the row makes the file unreadable. The record format is the one of
// crypto-core's EncryptedSpool: records of 1 MiB plaintext, each with a counter nonce and tag.

import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '@sealpost/storage';
import { CoreError } from './errors.ts';
import { removeOrphanFiles } from './orphan-files.ts';

/** Plaintext bytes per record. Every record but the last is exactly this long. */
export const RECORD_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export { ORPHAN_AGE_MS } from './orphan-files.ts';

const NAME = /^[0-9a-f]{32}\.msg$/;

/** A complete encrypted message file: its name, key (owned by the caller) and plaintext size. */
export interface EncryptedMessageFile {
  name: string;
  key: Buffer;
  size: number;
}

export class MessageFiles {
  constructor(readonly folder: string) {}

  /** Returns the absolute path of the message file `name`. */
  pathOf(name: string): string {
    if (!NAME.test(name)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The message file name ${JSON.stringify(name)} is invalid: expected 32 hex digits and ".msg".`,
      );
    }
    return path.join(this.folder, name);
  }

  /**
   * Encrypts `source` into a new file: written as NAME.msg.part, flushed to disk and renamed,
   * so the returned name always refers to a whole file. A failed read or write leaves no file.
   * An empty source raises INVALID_ARGUMENT.
   */
  async write(source: AsyncIterable<Uint8Array>): Promise<EncryptedMessageFile> {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    chmodSync(this.folder, 0o700);
    const name = `${randomBytes(16).toString('hex')}.msg`;
    const final = this.pathOf(name);
    const partial = `${final}.part`;
    const key = randomBytes(KEY_BYTES);
    const handle = await open(partial, 'wx', 0o600);
    try {
      const size = await encryptRecords(source, key, handle);
      if (size === 0) {
        throw new CoreError('INVALID_ARGUMENT', 'The message to store in a file is empty.');
      }
      await handle.sync();
      await handle.close();
      await rename(partial, final);
      await syncFolder(this.folder);
      return { name, key, size };
    } catch (error) {
      key.fill(0);
      await handle.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
  }

  /**
   * Decrypts the file record by record, in chunks of at most RECORD_BYTES. Each record's tag is
   * checked before its bytes are yielded, and a changed, cut or extended file raises
   * MESSAGE_FILE_DAMAGED. The yielded buffers belong to the caller.
   */
  async *read(file: { name: string; key: Uint8Array; size: number }): AsyncGenerator<Buffer> {
    const records = Math.ceil(file.size / RECORD_BYTES);
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(file.name), 'r');
    } catch (error) {
      throw damaged(file.name, 'cannot be opened', error);
    }
    try {
      const expected = records * TAG_BYTES + file.size;
      const { size } = await handle.stat();
      if (size !== expected) {
        throw damaged(file.name, `is ${size} bytes long instead of ${expected}`);
      }
      const body = Buffer.allocUnsafe(RECORD_BYTES + TAG_BYTES);
      for (let index = 0; index < records; index++) {
        const length = Math.min(RECORD_BYTES, file.size - index * RECORD_BYTES);
        const record = body.subarray(0, length + TAG_BYTES);
        const position = index * (RECORD_BYTES + TAG_BYTES);
        const { bytesRead } = await handle.read(record, 0, record.length, position);
        if (bytesRead !== record.length) throw damaged(file.name, `is cut at record ${index}`);

        const decipher = createDecipheriv('aes-256-gcm', file.key, nonceFor(index));
        decipher.setAuthTag(record.subarray(length));
        const plaintext = decipher.update(record.subarray(0, length));
        try {
          decipher.final();
        } catch (error) {
          plaintext.fill(0);
          throw damaged(file.name, `failed its integrity check at record ${index}`, error);
        }
        yield plaintext;
      }
    } finally {
      await handle.close();
    }
  }

  /** Deletes the message file `name`. A missing file is not an error. */
  remove(name: string): void {
    rmSync(this.pathOf(name), { force: true });
  }

  /**
   * Deletes files and .part files older than ORPHAN_AGE_MS that no message refers to: left by
   * a process that died while writing, or by a message deleted since. Returns their names.
   */
  async removeOrphans(referenced: ReadonlySet<string>, now = Date.now()): Promise<string[]> {
    return removeOrphanFiles(this.folder, /^[0-9a-f]{32}\.msg(\.part)?$/, referenced, now);
  }
}

/** Returns the encrypted message files of the data folder that contains the store's database. */
export function messageFilesOf(store: Store): MessageFiles {
  if (store.path === ':memory:') {
    throw new CoreError(
      'INVALID_ARGUMENT',
      'Large messages are kept in files next to the database, but the database is in memory. ' +
        'Open the store from a file in the data folder.',
    );
  }
  return new MessageFiles(path.join(path.dirname(store.path), 'messages'));
}

/** Encrypts `source` into `handle` in records and returns the plaintext size. */
async function encryptRecords(
  source: AsyncIterable<Uint8Array>,
  key: Buffer,
  handle: FileHandle,
): Promise<number> {
  let size = 0;
  let records = 0;
  let cipher: CipherGCM | null = null;
  let recordBytes = 0;
  let output: Buffer[] = [];
  const finishRecord = async (): Promise<void> => {
    output.push(cipher!.final(), cipher!.getAuthTag());
    cipher = null;
    recordBytes = 0;
    records += 1;
    await handle.writev(output);
    output = [];
  };

  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      cipher ??= createCipheriv('aes-256-gcm', key, nonceFor(records));
      const take = Math.min(RECORD_BYTES - recordBytes, chunk.length - offset);
      output.push(cipher.update(chunk.subarray(offset, offset + take)));
      recordBytes += take;
      size += take;
      offset += take;
      if (recordBytes === RECORD_BYTES) await finishRecord();
    }
  }
  if (cipher !== null) await finishRecord();
  return size;
}

/** Flushes a folder's entries to disk, so a rename survives a power loss. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Returns the 96-bit GCM nonce of a record: its counter. Each key encrypts one file, so none repeats. */
function nonceFor(record: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(record, 6, 6);
  return nonce;
}

function damaged(name: string, problem: string, cause?: unknown): CoreError {
  return new CoreError(
    'MESSAGE_FILE_DAMAGED',
    `The message file ${name} ${problem}. Delete the message here and sync again to fetch it anew.`,
    { cause },
  );
}
