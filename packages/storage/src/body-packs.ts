// Body packs: append-only files in the folder "bodies" beside the database that hold the bodies
// of received messages, each sealed with AES-256-GCM (Node.js crypto) under its own random key.
// The key, the pack name and the record's place live only in the message's database row, so
// deleting the row makes the record unreadable. Sealing in Node.js instead of storing the bytes
// in SQLCipher pages costs a fraction of the time: SQLite3 Multiple Ciphers encrypts every page
// in software with HMAC-SHA512, and bodies are most of what an initial sync writes.
//
// A record is nonce (12 bytes) || ciphertext || tag (16 bytes). Each Store writes to packs of its
// own, so two processes never append to one file and the offsets it records are exact. Records
// are flushed to disk before a flushed commit that refers to them (see `flush`). Sync commits
// unflushed, so after a power loss a record may be missing under a committed row. Reading it
// then fails its check, and the body is fetched from the server again.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

import { StorageError } from './errors.ts';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a record adds to the body it seals. */
export const RECORD_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** A pack is closed for writing once it reaches this size, so no file grows without bound. */
const PACK_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Time after its creation during which a pack takes records. A pack file unchanged for
 * PACK_IDLE_MS is then no process's current pack, so deleting it when no row refers to it is safe.
 */
const PACK_WRITE_MS = 60 * 60_000;

/** Time without a change after which a pack that no message refers to is deleted. */
export const PACK_IDLE_MS = 24 * 60 * 60_000;

/** Pack file names: 32 lowercase hex digits and ".pack". */
export const PACK_NAME = /^[0-9a-f]{32}\.pack$/;

/** The location of a sealed body (pack, offset, record length) and the key that opens it. */
export interface BodyRecord {
  pack: string;
  offset: number;
  length: number;
  /** AES-256 key of this record alone. The holder wipes it after use. */
  key: Buffer;
}

interface WritablePack {
  name: string;
  fd: number;
  size: number;
  createdAt: number;
}

export class BodyPacks {
  /** The pack this Store appends to, its descriptor and its current length. */
  #writing: WritablePack | null = null;
  /** True when records were appended since the last flush. */
  #dirty = false;
  readonly #readers = new Map<string, number>();

  constructor(readonly folder: string) {}

  /** Seals `body` into the current pack and returns where it is. Not yet flushed to disk. */
  append(body: Uint8Array): BodyRecord {
    const pack = this.#packFor(body.byteLength + RECORD_OVERHEAD);
    const key = randomBytes(KEY_BYTES);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const sealed = Buffer.concat([nonce, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
    const offset = pack.size;
    try {
      writeAll(pack.fd, sealed, offset);
    } catch (error) {
      key.fill(0);
      // No row refers to the bytes after the last whole record, so a new pack is started.
      this.#closeWriting();
      throw ioError(`write a message body to ${pack.name}`, this.folder, error);
    }
    pack.size += sealed.length;
    this.#dirty = true;
    return { pack: pack.name, offset, length: sealed.length, key };
  }

  /**
   * Flushes appended records to disk. Called before a flushed transaction commits, so its rows
   * never point at bytes that a power loss could still take away.
   */
  flush(): void {
    if (!this.#dirty || this.#writing === null) return;
    try {
      fdatasyncSync(this.#writing.fd);
    } catch (error) {
      throw ioError(`flush ${this.#writing.name}`, this.folder, error);
    }
    this.#dirty = false;
  }

  /** True when records were appended that no flush or unflushed commit has taken yet. */
  get pendingFlush(): boolean {
    return this.#dirty;
  }

  /**
   * Leaves the records appended so far to the operating system's write-back, as an unflushed
   * commit does with its rows, so a later flushed commit does not wait for them.
   */
  leaveUnflushed(): void {
    this.#dirty = false;
  }

  /**
   * Opens `record` and returns the body. A changed, cut or missing record raises
   * MESSAGE_BODY_DAMAGED after the tag check, so no unverified byte is returned.
   */
  read(record: BodyRecord, messageId: number): Buffer {
    if (record.length < RECORD_OVERHEAD) {
      throw damaged(messageId, record.pack, `its record length ${record.length} is too short`);
    }
    const sealed = Buffer.allocUnsafe(record.length);
    let read: number;
    try {
      read = readSync(this.#reader(record.pack), sealed, 0, record.length, record.offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === 'ENOENT' ? 'its pack file is missing' : `it cannot be read (${code})`;
      throw damaged(messageId, record.pack, problem, error);
    }
    if (read !== record.length) {
      throw damaged(messageId, record.pack, `it ends ${record.length - read} bytes early`);
    }
    const decipher = createDecipheriv('aes-256-gcm', record.key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(sealed.subarray(record.length - TAG_BYTES));
    const body = decipher.update(sealed.subarray(NONCE_BYTES, record.length - TAG_BYTES));
    try {
      decipher.final();
    } catch (error) {
      body.fill(0);
      throw damaged(messageId, record.pack, 'it failed its integrity check', error);
    }
    return body;
  }

  /**
   * Deletes the pack files that no row in `referenced` names and that no process has written
   * for PACK_IDLE_MS. Their records belonged to deleted messages, or to transactions that rolled
   * back. Returns the names deleted.
   * TODO: a pack that still contains one live record keeps the space of its deleted ones.
   */
  removeUnreferenced(referenced: ReadonlySet<string>, now = Date.now()): string[] {
    let names: string[];
    try {
      names = readdirSync(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError('list the body packs', this.folder, error);
    }
    const removed: string[] = [];
    for (const name of names) {
      if (!PACK_NAME.test(name) || referenced.has(name) || name === this.#writing?.name) continue;
      const file = path.join(this.folder, name);
      const modified = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
      if (modified === undefined || now - modified < PACK_IDLE_MS) continue;
      const reader = this.#readers.get(name);
      if (reader !== undefined) closeSync(reader);
      this.#readers.delete(name);
      rmSync(file, { force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Closes every open pack. The Store calls this when it closes. */
  close(): void {
    this.#closeWriting();
    for (const fd of this.#readers.values()) closeSync(fd);
    this.#readers.clear();
  }

  /** Returns the pack to append `bytes` to, starting a new one when there is none or it is full. */
  #packFor(bytes: number): WritablePack {
    const current = this.#writing;
    if (
      current !== null &&
      Date.now() - current.createdAt < PACK_WRITE_MS &&
      (current.size === 0 || current.size + bytes <= PACK_LIMIT_BYTES)
    ) {
      return current;
    }
    if (current !== null) {
      // Records of a full pack must be on disk before the pack is left behind.
      this.flush();
      this.#closeWriting();
    }
    const name = `${randomBytes(16).toString('hex')}.pack`;
    let fd: number;
    try {
      mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      chmodSync(this.folder, 0o700);
      fd = openSync(path.join(this.folder, name), 'wx', 0o600);
      // The new name must survive a power loss along with the records in it.
      const folder = openSync(this.folder, 'r');
      try {
        fsyncSync(folder);
      } finally {
        closeSync(folder);
      }
    } catch (error) {
      throw ioError(`create the body pack ${name}`, this.folder, error);
    }
    this.#writing = { name, fd, size: 0, createdAt: Date.now() };
    return this.#writing;
  }

  #reader(name: string): number {
    if (!PACK_NAME.test(name)) {
      throw new StorageError(
        'INVALID_ARGUMENT',
        `The body pack name ${JSON.stringify(name)} is invalid: expected 32 hex digits and ".pack".`,
      );
    }
    const open = this.#readers.get(name);
    if (open !== undefined) return open;
    const fd = openSync(path.join(this.folder, name), 'r');
    this.#readers.set(name, fd);
    return fd;
  }

  #closeWriting(): void {
    if (this.#writing === null) return;
    closeSync(this.#writing.fd);
    this.#writing = null;
    this.#dirty = false;
  }
}

function writeAll(fd: number, data: Buffer, position: number): void {
  let written = 0;
  while (written < data.length) {
    written += writeSync(fd, data, written, data.length - written, position + written);
  }
}

function damaged(messageId: number, pack: string, problem: string, cause?: unknown): StorageError {
  return new StorageError(
    'MESSAGE_BODY_DAMAGED',
    `The stored body of message ${messageId} in ${pack} is damaged: ${problem}.`,
    { cause },
  );
}

function ioError(action: string, folder: string, error: unknown): StorageError {
  const code = (error as NodeJS.ErrnoException).code;
  return new StorageError(
    code === 'ENOSPC' ? 'DISK_FULL' : 'IO_FAILED',
    `Cannot ${action} in ${folder} (${code ?? (error as Error).message}). ` +
      (code === 'ENOSPC'
        ? 'Free disk space, then retry.'
        : `Check that ${folder} is a folder you can write to, then retry.`),
    { cause: error },
  );
}
