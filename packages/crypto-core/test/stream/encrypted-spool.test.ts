// The encrypted spool and the stream input conversion of the streaming API. Chunks of any size
// go into 1 MiB AES-256-GCM records and come back byte-identical. A changed or cut spool file
// raises DECRYPT_FAILED. Small source chunks are gathered into chunks of at least 1 MiB.

import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptoError } from '../../src/index.ts';
import { EncryptedSpool } from '../../src/stream/encrypted-spool.ts';
import { STREAM_CHUNK_BYTES, toWebStream } from '../../src/stream/stream-input.ts';

const MiB = 1024 * 1024;
let parent: string;

beforeAll(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'sealpost-spool-unit-'));
});

afterAll(() => {
  rmSync(parent, { recursive: true, force: true });
});

async function spoolOf(chunks: Uint8Array[]): Promise<EncryptedSpool> {
  const spool = await EncryptedSpool.create(parent);
  for (const chunk of chunks) await spool.append(chunk);
  await spool.seal();
  return spool;
}

async function readBack(spool: EncryptedSpool): Promise<{ data: Buffer; sizes: number[] }> {
  const parts: Uint8Array[] = [];
  for await (const part of spool.read()) parts.push(part);
  return { data: Buffer.concat(parts), sizes: parts.map((part) => part.length) };
}

function spoolFile(): string {
  const [folder] = readdirSync(parent);
  return path.join(parent, folder!, 'spool.bin');
}

async function readError(spool: EncryptedSpool): Promise<unknown> {
  try {
    await readBack(spool);
    return null;
  } catch (error) {
    return error;
  }
}

describe('EncryptedSpool', () => {
  it('round-trips chunks across records', async () => {
    const data = randomBytes(3 * MiB + 12345);
    const chunks = [
      data.subarray(0, 700_000),
      data.subarray(700_000, 3 * MiB),
      data.subarray(3 * MiB),
    ];
    const spool = await spoolOf(chunks);
    expect(spool.size).toBe(data.length);

    const { data: back, sizes } = await readBack(spool);
    expect(back.equals(data)).toBe(true);
    expect(sizes).toEqual([MiB, MiB, MiB, 12345]);
    await spool.dispose();
    expect(readdirSync(parent)).toEqual([]);
  });

  it('keeps no plaintext in the file', async () => {
    const marker = Buffer.from('spool-plaintext-marker '.repeat(100_000));
    const spool = await spoolOf([marker]);
    const stored = readFileSync(spoolFile());
    expect(stored.length).toBe(marker.length + 16 * Math.ceil(marker.length / MiB));
    expect(stored.includes(Buffer.from('spool-plaintext-marker'))).toBe(false);
    await spool.dispose();
  });

  it('reads an empty spool as nothing', async () => {
    const spool = await spoolOf([]);
    expect((await readBack(spool)).sizes).toEqual([]);
    await spool.dispose();
  });

  it('rejects a changed byte', async () => {
    const spool = await spoolOf([randomBytes(2 * MiB)]);
    const stored = readFileSync(spoolFile());
    stored[MiB + 100] = stored[MiB + 100]! ^ 0x01;
    writeFileSync(spoolFile(), stored);
    const error = await readError(spool);
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('DECRYPT_FAILED');
    expect((error as CryptoError).message).toMatch(/record 1/);
    await spool.dispose();
  });

  it('rejects a cut file', async () => {
    const spool = await spoolOf([randomBytes(2 * MiB)]);
    truncateSync(spoolFile(), MiB + 16 + 10);
    const error = await readError(spool);
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('DECRYPT_FAILED');
    await spool.dispose();
  });

  it('deletes spools left by a killed process', async () => {
    const folder = mkdtempSync(path.join(parent, 'stale-'));
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 60 * 60_000);
    for (const name of ['sealpost-spool-old', 'sealpost-spool-recent', 'other-old']) {
      mkdirSync(path.join(folder, name));
      writeFileSync(path.join(folder, name, 'spool.bin'), 'sealed bytes');
    }
    utimesSync(path.join(folder, 'sealpost-spool-old', 'spool.bin'), hoursAgo(7), hoursAgo(7));
    utimesSync(path.join(folder, 'sealpost-spool-recent', 'spool.bin'), hoursAgo(5), hoursAgo(5));
    utimesSync(path.join(folder, 'other-old', 'spool.bin'), hoursAgo(7), hoursAgo(7));

    const spool = await EncryptedSpool.create(folder);
    const left = readdirSync(folder).sort();
    await spool.dispose();
    expect(left).not.toContain('sealpost-spool-old');
    expect(left).toContain('sealpost-spool-recent');
    expect(left).toContain('other-old');
    expect(left.filter((name) => name.startsWith('sealpost-spool-'))).toHaveLength(2);
  });

  it('rejects append after seal', async () => {
    const spool = await spoolOf([Buffer.from('x')]);
    await expect(spool.append(Buffer.from('y'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await spool.dispose();
  });
});

describe('toWebStream', () => {
  it('gathers small chunks into 1 MiB', async () => {
    const small = Array.from({ length: 2500 }, (_, index) => Buffer.alloc(1024, index % 256));
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of toWebStream(Readable.from(small), 'data')) {
      sizes.push(chunk.length);
      parts.push(chunk);
    }
    expect(sizes.slice(0, -1).every((size) => size >= STREAM_CHUNK_BYTES)).toBe(true);
    expect(sizes.length).toBe(3);
    expect(Buffer.concat(parts).equals(Buffer.concat(small))).toBe(true);
  });

  it('passes large chunks uncopied', async () => {
    const large = randomBytes(2 * MiB);
    const chunks: Uint8Array[] = [];
    for await (const chunk of toWebStream(Readable.from([large]), 'data')) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.buffer).toBe(large.buffer);
  });

  it('rejects string chunks', async () => {
    const reader = toWebStream(Readable.from(['text'], { objectMode: true }), 'data').getReader();
    await expect(reader.read()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
