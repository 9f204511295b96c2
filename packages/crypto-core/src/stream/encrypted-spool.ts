// A temporary file that holds plaintext encrypted with AES-256-GCM under a random key kept only
// in memory, in records of at most 1 MiB (each with its own counter nonce and tag). It lets
// large decrypted messages wait on disk until their integrity check passes without ever being
// written in the clear. The key is wiped and the file deleted by dispose().

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CryptoError } from '../errors.ts';

/**
 * Maximum plaintext bytes per record. Small chunks are collected in memory up to this size
 * first, because one cipher call and one write per MiB cost far less than one per chunk.
 */
const RECORD_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const LENGTH_BYTES = 4;

export class EncryptedSpool {
  readonly #directory: string;
  readonly #file: string;
  readonly #key: Buffer = randomBytes(32);
  #handle: FileHandle | null = null;
  #records = 0;
  #size = 0;
  /** Plaintext waiting for a full record; copies owned by the spool and wiped after use. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #disposed = false;

  private constructor(directory: string) {
    this.#directory = directory;
    this.#file = path.join(directory, 'spool.bin');
  }

  /** Creates an empty spool in a new private folder under `parent` (default: the OS temp folder). */
  static async create(parent: string = os.tmpdir()): Promise<EncryptedSpool> {
    const spool = new EncryptedSpool(mkdtempSync(path.join(parent, 'sealpost-spool-')));
    spool.#handle = await open(spool.#file, 'wx', 0o600);
    return spool;
  }

  /** Plaintext bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** Encrypts and appends `chunk`. The caller keeps ownership of `chunk`. */
  async append(chunk: Uint8Array): Promise<void> {
    this.#requireWritable();
    this.#pending.push(Buffer.from(chunk));
    this.#pendingBytes += chunk.length;
    this.#size += chunk.length;
    if (this.#pendingBytes >= RECORD_BYTES) await this.#flush(false);
  }

  /** Writes the pending plaintext and closes the file; after this only read() is allowed. */
  async seal(): Promise<void> {
    const handle = this.#requireWritable();
    await this.#flush(true);
    this.#handle = null;
    await handle.close();
  }

  /** Encrypts full records from the pending plaintext, and the remainder too when `all`. */
  async #flush(all: boolean): Promise<void> {
    const handle = this.#requireWritable();
    const plaintext = Buffer.concat(this.#pending);
    for (const buffer of this.#pending) buffer.fill(0);
    this.#pending = [];
    this.#pendingBytes = 0;

    const records: Buffer[] = [];
    let offset = 0;
    while (plaintext.length - offset >= RECORD_BYTES || (all && offset < plaintext.length)) {
      const part = plaintext.subarray(offset, offset + RECORD_BYTES);
      records.push(this.#encryptRecord(part));
      offset += part.length;
    }
    if (offset < plaintext.length) {
      this.#pending.push(Buffer.from(plaintext.subarray(offset)));
      this.#pendingBytes = plaintext.length - offset;
    }
    plaintext.fill(0);
    if (records.length > 0) await handle.write(Buffer.concat(records));
  }

  #encryptRecord(part: Uint8Array): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonceFor(this.#records));
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(part.length);
    cipher.setAAD(length);
    this.#records += 1;
    return Buffer.concat([length, cipher.update(part), cipher.final(), cipher.getAuthTag()]);
  }

  /**
   * Reads the plaintext back, record by record. Each record's tag is checked before its bytes
   * are yielded, and a missing record (a truncated file) raises DECRYPT_FAILED.
   */
  async *read(): AsyncGenerator<Uint8Array> {
    if (this.#disposed || this.#handle !== null) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'The spool must be sealed and not yet disposed to be read.',
      );
    }
    const handle = await open(this.#file, 'r');
    try {
      let position = 0;
      for (let record = 0; record < this.#records; record++) {
        const header = Buffer.alloc(LENGTH_BYTES);
        await readExactly(handle, header, position);
        const length = header.readUInt32BE(0);
        if (length > RECORD_BYTES) throw spoolDamaged(record);
        const body = Buffer.alloc(length + TAG_BYTES);
        await readExactly(handle, body, position + LENGTH_BYTES);
        position += LENGTH_BYTES + body.length;

        const decipher = createDecipheriv('aes-256-gcm', this.#key, nonceFor(record));
        decipher.setAAD(header);
        decipher.setAuthTag(body.subarray(length));
        try {
          yield Buffer.concat([decipher.update(body.subarray(0, length)), decipher.final()]);
        } catch (error) {
          throw spoolDamaged(record, error);
        }
      }
    } finally {
      await handle.close();
    }
  }

  /** Wipes the key and deletes the file. Safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#key.fill(0);
    for (const buffer of this.#pending) buffer.fill(0);
    this.#pending = [];
    const handle = this.#handle;
    this.#handle = null;
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

async function readExactly(handle: FileHandle, target: Buffer, position: number): Promise<void> {
  const { bytesRead } = await handle.read(target, 0, target.length, position);
  if (bytesRead !== target.length) throw spoolDamaged(-1);
}

function spoolDamaged(record: number, cause?: unknown): CryptoError {
  return new CryptoError(
    'DECRYPT_FAILED',
    `The temporary spool file was changed or cut short${record >= 0 ? ` at record ${record}` : ''}; ` +
      'decrypt the message again.',
    { cause },
  );
}
