// Large messages: streaming encryption and decryption through an encrypted spool. Plaintext
// is released only after the MDC check, a modified or SED message leaves no spool behind, and
// a 200 MB message stays within 100 MB of resident memory growth in a child process.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoError,
  decryptToSpool,
  encryptAndSignStream,
  type VerifiedSpool,
} from '../../src/index.ts';
import { makeIdentity, type TestIdentity } from '../helpers/identities.ts';
import { listPackets } from '../helpers/packets.ts';
import { buildSedMessage } from './sed-message.ts';

const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./large-message-child.ts', import.meta.url));

let alice: TestIdentity;
let bob: TestIdentity;
let spoolDirectory: string;

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
  ]);
  spoolDirectory = mkdtempSync(path.join(os.tmpdir(), 'sealpost-spool-test-'));
});

afterAll(() => {
  rmSync(spoolDirectory, { recursive: true, force: true });
});

async function encryptToBytes(data: Uint8Array, format: 'binary' | 'armored'): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  await encryptAndSignStream({
    data: Readable.from([data]),
    output,
    format,
    recipientCertificates: [bob.certificate],
    signingKey: alice.unlocked,
  });
  return Buffer.concat(chunks);
}

async function readAll(spool: VerifiedSpool): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of spool.read()) parts.push(part);
  return Buffer.concat(parts);
}

async function decryptError(message: Uint8Array): Promise<unknown> {
  try {
    const spool = await decryptToSpool({
      message: Readable.from([message]),
      format: 'binary',
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      spoolDirectory,
    });
    await spool.dispose();
    return null;
  } catch (error) {
    return error;
  }
}

describe('streaming encryption and spool decryption', () => {
  it('round-trips binary and armored messages', async () => {
    const plaintext = new Uint8Array(300 * 1024).map((_, index) => index % 251);
    for (const format of ['binary', 'armored'] as const) {
      const ciphertext = await encryptToBytes(plaintext, format);
      const spool = await decryptToSpool({
        message: Readable.from([ciphertext]),
        format,
        decryptionKeys: [bob.unlocked],
        verificationCertificates: [alice.certificate],
        expectedSignerAddress: 'alice@example.org',
        spoolDirectory,
      });
      expect(spool.size).toBe(plaintext.length);
      expect(spool.signatures.map((signature) => signature.status)).toEqual(['valid']);
      expect(spool.signatures[0]?.signerMatchesAddress).toBe(true);
      expect(new Uint8Array(await readAll(spool))).toEqual(plaintext);
      await spool.dispose();
    }
    expect(readdirSync(spoolDirectory)).toEqual([]);
  });

  it('keeps the spool file encrypted', async () => {
    const marker = Buffer.from('spool-marker-'.repeat(2000));
    const ciphertext = await encryptToBytes(marker, 'binary');
    const spool = await decryptToSpool({
      message: Readable.from([ciphertext]),
      format: 'binary',
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      spoolDirectory,
    });
    const [folder] = readdirSync(spoolDirectory);
    const { readFileSync } = await import('node:fs');
    const stored = readFileSync(path.join(spoolDirectory, folder!, 'spool.bin'));
    expect(stored.length).toBeGreaterThan(marker.length);
    expect(stored.includes(Buffer.from('spool-marker-'))).toBe(false);
    await spool.dispose();
    await expect(spool.read().next()).rejects.toThrow(/sealed and not yet disposed/);
  });

  it('rejects modified ciphertext and leaves no spool', async () => {
    const ciphertext = await encryptToBytes(new Uint8Array(200 * 1024).fill(7), 'binary');
    for (const position of [Math.floor(ciphertext.length / 2), ciphertext.length - 10]) {
      const modified = Buffer.from(ciphertext);
      modified[position] = modified[position]! ^ 0x01;
      const error = await decryptError(modified);
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code).toBe('DECRYPT_FAILED');
      expect(readdirSync(spoolDirectory)).toEqual([]);
    }
  });

  it('rejects a SED message', async () => {
    const sed = await buildSedMessage(bob.certificate, new TextEncoder().encode('gadget'));
    expect(listPackets(sed).map((packet) => packet.tag)).toEqual([1, 9]);
    const error = await decryptError(sed);
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe('DECRYPT_FAILED');
    expect((error as CryptoError).message).toMatch(/tag 9/);
    expect(readdirSync(spoolDirectory)).toEqual([]);
  });

  it('rejects an unknown format', async () => {
    await expect(
      decryptToSpool({
        message: Readable.from([Buffer.from('x')]),
        format: 'text' as never,
        decryptionKeys: [bob.unlocked],
        verificationCertificates: [],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('200 MB message', () => {
  it('streams with under 100 MB of RSS growth', () => {
    const output = execFileSync(
      path.join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      [childScript],
      { cwd: repositoryRoot, env: { ...process.env, SIZE_MB: '200' }, encoding: 'utf8' },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as {
      inputBytes: number;
      outputBytes: number;
      ciphertextBytes: number;
      inputSha256: string;
      outputSha256: string;
      signatureStatus: string[];
      signerMatchesAddress: boolean[];
      baselineRss: number;
      peakRss: number;
    };
    expect(result.inputBytes).toBe(200 * 1024 * 1024);
    expect(result.outputBytes).toBe(result.inputBytes);
    expect(result.ciphertextBytes).toBeGreaterThan(result.inputBytes);
    expect(result.outputSha256).toBe(result.inputSha256);
    expect(result.signatureStatus).toEqual(['valid']);
    expect(result.signerMatchesAddress).toEqual([true]);
    expect(result.peakRss - result.baselineRss).toBeLessThan(100 * 1024 * 1024);
  }, 180_000);
});
