// A temporary file that contains plaintext encrypted with AES-256-GCM (Node.js crypto) under a
// random key kept only in memory, in records of 1 MiB of plaintext, each with its own counter
// nonce and tag. It lets large decrypted messages wait on disk until their integrity check
// passes without ever being written in the clear. The key is wiped and the file deleted by
// dispose(). Record lengths follow from the size kept in memory, so a cut file is detected.

import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CryptoError } from '../errors.ts';

/** Plaintext bytes per record; every record but the last is exactly this long. */
const RECORD_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const SPOOL_PREFIX = 'sealpost-spool-';

/**
 * Time since the last write after which a spool folder counts as left by a process that was
 * killed. A live spool is written or read back within minutes even for a message of gigabytes.
 */
export const STALE_SPOOL_MS = 6 * 60 * 60_000;

export class EncryptedSpool {
  readonly #directory: string;
  readonly #file: string;
  readonly #key: Buffer = randomBytes(32);
  #handle: FileHandle | null = null;
  #records = 0;
  #size = 0;
  /** Cipher of the record being written and the plaintext bytes it has taken so far. */
  #cipher: CipherGCM | null = null;
  #recordBytes = 0;
  /** Ciphertext and tags not yet written, sent to the file in one writev call per record. */
  #output: Buffer[] = [];
  /**
   * The write of the previous record, awaited before the next one starts, so encryption of a
   * record overlaps the write of the one before it and at most one write is under way.
   */
  #writing: Promise<void> = Promise.resolve();
  #disposed = false;

  private constructor(directory: string) {
    this.#directory = directory;
    this.#file = path.join(directory, 'spool.bin');
  }

  /** Creates an empty spool in a new private folder under `parent` (default: the OS temp folder). */
  static async create(parent: string = os.tmpdir()): Promise<EncryptedSpool> {
    removeStaleSpools(parent);
    const spool = new EncryptedSpool(mkdtempSync(path.join(parent, SPOOL_PREFIX)));
    spool.#handle = await open(spool.#file, 'wx', 0o600);
    return spool;
  }

  /** Plaintext bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Encrypts and appends `chunk` without copying its plaintext. The caller keeps ownership of
   * `chunk` and may reuse it once the returned promise resolves.
   */
  async append(chunk: Uint8Array): Promise<void> {
    const handle = this.#requireWritable();
    let offset = 0;
    while (offset < chunk.length) {
      this.#cipher ??= createCipheriv('aes-256-gcm', this.#key, nonceFor(this.#records));
      const take = Math.min(RECORD_BYTES - this.#recordBytes, chunk.length - offset);
      this.#output.push(this.#cipher.update(chunk.subarray(offset, offset + take)));
      this.#recordBytes += take;
      this.#size += take;
      offset += take;
      if (this.#recordBytes === RECORD_BYTES) await this.#finishRecord(handle);
    }
  }

  /** Writes the last record and closes the file; after this only read() is allowed. */
  async seal(): Promise<void> {
    const handle = this.#requireWritable();
    if (this.#cipher !== null) await this.#finishRecord(handle);
    await this.#writing;
    this.#handle = null;
    await handle.close();
  }

  async #finishRecord(handle: FileHandle): Promise<void> {
    const cipher = this.#cipher!;
    this.#output.push(cipher.final(), cipher.getAuthTag());
    this.#cipher = null;
    this.#recordBytes = 0;
    this.#records += 1;
    const output = this.#output;
    this.#output = [];
    await this.#writing;
    this.#writing = handle.writev(output).then(() => undefined);
    // A failed write is raised by the next append, seal or dispose; this only keeps Node.js
    // from reporting the rejection as unhandled in the meantime.
    this.#writing.catch(() => undefined);
  }

  /**
   * Reads the plaintext back, record by record, in chunks of at most 1 MiB. Each record's tag
   * is checked before its bytes are yielded, and a short record (a cut file) raises
   * DECRYPT_FAILED.
   */
  async *read(): AsyncGenerator<Uint8Array> {
    if (this.#disposed || this.#handle !== null) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'The spool must be sealed and not yet disposed to be read.',
      );
    }
    const handle = await open(this.#file, 'r');
    // Two ciphertext buffers, reused for every record because only the plaintext leaves: the
    // next record is read from the file while the current one is decrypted and consumed.
    const buffers = [
      Buffer.allocUnsafe(RECORD_BYTES + TAG_BYTES),
      Buffer.allocUnsafe(RECORD_BYTES + TAG_BYTES),
    ];
    const readRecord = async (index: number): Promise<Buffer> => {
      const length = Math.min(RECORD_BYTES, this.#size - index * RECORD_BYTES) + TAG_BYTES;
      const body = buffers[index % 2]!.subarray(0, length);
      const position = index * (RECORD_BYTES + TAG_BYTES);
      const { bytesRead } = await handle.read(body, 0, length, position);
      if (bytesRead !== length) throw spoolDamaged(index);
      return body;
    };
    let next: Promise<Buffer> | null = null;
    try {
      next = this.#records > 0 ? readRecord(0) : null;
      for (let index = 0; index < this.#records; index++) {
        const body = await next!;
        next = index + 1 < this.#records ? readRecord(index + 1) : null;
        // Keeps a failed read-ahead from being reported as unhandled before it is awaited.
        next?.catch(() => undefined);

        const length = body.length - TAG_BYTES;
        const decipher = createDecipheriv('aes-256-gcm', this.#key, nonceFor(index));
        decipher.setAuthTag(body.subarray(length));
        const plaintext = decipher.update(body.subarray(0, length));
        try {
          decipher.final();
        } catch (error) {
          plaintext.fill(0);
          throw spoolDamaged(index, error);
        }
        yield plaintext;
      }
    } finally {
      await next?.catch(() => undefined);
      await handle.close();
    }
  }

  /** Wipes the key and deletes the file. Safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#key.fill(0);
    this.#cipher = null;
    this.#output = [];
    const handle = this.#handle;
    this.#handle = null;
    await this.#writing.catch(() => undefined);
    if (handle) await handle.close();
    rmSync(this.#directory, { recursive: true, force: true });
  }

  #requireWritable(): FileHandle {
    if (this.#disposed || this.#handle === null) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'The spool is sealed or disposed; it accepts no more data.',
      );
    }
    return this.#handle;
  }
}

/** A 96-bit GCM nonce from the record counter; each key encrypts one file, so none repeats. */
function nonceFor(record: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(record, 6, 6);
  return nonce;
}

function spoolDamaged(record: number, cause?: unknown): CryptoError {
  return new CryptoError(
    'DECRYPT_FAILED',
    `The temporary spool file was changed or cut short at record ${record}; ` +
      'decrypt the message again.',
    { cause },
  );
}

/**
 * Deletes spool folders under `parent` whose file was last written STALE_SPOOL_MS or more before
 * `now`, and returns their names. A killed process cannot dispose of its spool. The key died
 * with the process, so the file is unreadable, but it would take disk space for good.
 */
export function removeStaleSpools(parent: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(SPOOL_PREFIX)) continue;
    const folder = path.join(parent, name);
    const written =
      statSync(path.join(folder, 'spool.bin'), { throwIfNoEntry: false })?.mtimeMs ??
      statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
    if (written === undefined || now - written < STALE_SPOOL_MS) continue;
    rmSync(folder, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
