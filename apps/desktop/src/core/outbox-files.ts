// Message files of the outbox: large outgoing messages are written here (data folder, folder
// "outbox", owner-only) instead of into the database. A file is written as NAME.eml.part,
// flushed to disk and renamed to NAME.eml only when complete, so a name the outbox stores always
// refers to a whole message. Files hold the finished message: ciphertext under the outer headers.

import { randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { CoreError } from './errors.ts';
import { removeOrphanFiles } from './orphan-files.ts';
import type { Writable } from 'node:stream';

export { ORPHAN_AGE_MS } from './orphan-files.ts';

/** A complete message file: its name in the outbox folder and its length in bytes. */
export interface MessageFile {
  name: string;
  size: number;
}

export class OutboxFiles {
  constructor(readonly folder: string) {}

  /** Returns the absolute path of the message file `name`. */
  pathOf(name: string): string {
    if (!/^[0-9a-f]{32}\.eml$/.test(name)) {
      throw new Error(`outbox file name ${JSON.stringify(name)} is invalid`);
    }
    return path.join(this.folder, name);
  }

  /**
   * Creates a message file: `write` writes the whole message to the given stream and ends it.
   * Returns the file once it is on disk under its final name; a failed `write` leaves no file.
   */
  async write(write: (output: Writable) => Promise<void>): Promise<MessageFile> {
    mkdirSync(this.folder, { recursive: true, mode: 0o700 });
    chmodSync(this.folder, 0o700);
    const name = `${randomBytes(16).toString('hex')}.eml`;
    const final = this.pathOf(name);
    const partial = `${final}.part`;
    const output = createWriteStream(partial, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 });
    // A write error (a full disk) is kept and raised below, instead of crashing the process as
    // an 'error' event without a listener.
    let writeError: Error | null = null;
    output.on('error', (error) => (writeError ??= error));
    try {
      await once(output, 'open');
      await write(output);
      if (!output.writableFinished && !writeError) await once(output, 'finish');
      if (writeError) throw writeError;
      const handle = await open(partial, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(partial, final);
      return { name, size: (await stat(final)).size };
    } catch (error) {
      output.destroy();
      await rm(partial, { force: true });
      throw error;
    }
  }

  /** Deletes the message file `name`; a missing file is not an error. */
  remove(name: string): void {
    rmSync(this.pathOf(name), { force: true });
  }

  /**
   * Deletes files older than ORPHAN_AGE_MS that no entry refers to: leftovers of a process that
   * died while writing a file, or after writing it and before queuing its entry. Returns their
   * names.
   */
  async removeOrphans(referenced: ReadonlySet<string>, now = Date.now()): Promise<string[]> {
    return removeOrphanFiles(this.folder, /^[0-9a-f]{32}\.eml(\.part)?$/, referenced, now);
  }
}

/** Bytes of a message file read to find its header section. */
const HEADER_READ_BYTES = 64 * 1024;

/** Reads the header section of a message file, up to and including the empty line. */
export async function readHeaderSection(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_READ_BYTES, 0);
    const end = buffer.subarray(0, bytesRead).indexOf('\r\n\r\n');
    if (end === -1) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The message file ${file} has no header section in its first ${HEADER_READ_BYTES} bytes.`,
      );
    }
    return Buffer.from(buffer.subarray(0, end + 4));
  } finally {
    await handle.close();
  }
}
