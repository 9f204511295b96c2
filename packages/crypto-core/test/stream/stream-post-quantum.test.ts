// Streaming encryption to post-quantum recipient sets (RFC 9980 algorithm 35). A streamed
// message to recipients that all have an ML-KEM-768+X25519 subkey carries only algorithm-35
// PKESKs. The buffered decryption reads it, and the streaming decryption reads a buffered one.
// A mixed set falls back to classical PKESKs, as in the buffered path.

import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  decryptToSpool,
  encryptAndSignStreamWithPlan,
  encryptAndSignWithPlan,
  generateIdentity,
  unlockSecretKey,
  type VerifiedSpool,
} from '../../src/index.ts';
import { dearmor, readPackets } from '../../src/pq/packet-framing.ts';
import { readPkeskRecipient } from '../../src/pq/pkesk.ts';
import { makeIdentity, passphrase, type TestIdentity } from '../helpers/identities.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let classicalCarol: TestIdentity;
let spoolDirectory: string;

/** 2.5 MiB, so the message spans several stream chunks and spool records. */
const plaintext = new Uint8Array(2.5 * 1024 * 1024).map((_, index) => (index * 7) % 251);

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
  ]);
  const carol = await generateIdentity({
    address: 'carol@example.org',
    passphrase,
    postQuantum: false,
  });
  classicalCarol = {
    ...carol,
    address: 'carol@example.org',
    unlocked: await unlockSecretKey(carol.secretKey, passphrase),
  };
  spoolDirectory = mkdtempSync(path.join(os.tmpdir(), 'sealpost-stream-pq-'));
});

afterAll(() => {
  rmSync(spoolDirectory, { recursive: true, force: true });
});

async function encryptStream(
  recipients: TestIdentity[],
  format: 'binary' | 'armored',
  mode?: 'pq' | 'classical',
): Promise<{ bytes: Buffer; planMode: string }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const { bytesWritten, plan } = await encryptAndSignStreamWithPlan({
    data: Readable.from([plaintext.subarray(0, 1000), plaintext.subarray(1000)]),
    output,
    format,
    recipientCertificates: recipients.map((recipient) => recipient.certificate),
    signingKey: alice.unlocked,
    ...(mode ? { mode } : {}),
  });
  const bytes = Buffer.concat(chunks);
  expect(bytesWritten).toBe(bytes.length);
  return { bytes, planMode: plan.mode };
}

/** Returns the algorithm of each PKESK packet (tag 1, OpenPGP format) at the message start. */
function binaryPkeskAlgorithms(message: Uint8Array): number[] {
  // Only the leading PKESK packets have definite lengths. The SEIPD packet after them uses
  // partial body lengths, which readPackets rejects, so each PKESK is read on its own.
  const packets: number[] = [];
  let offset = 0;
  while (message[offset] === 0xc1) {
    const length = message[offset + 1]!;
    const header = length < 192 ? 2 : 3;
    const bodyLength = length < 192 ? length : ((length - 192) << 8) + message[offset + 2]! + 192;
    const [packet] = readPackets(message.subarray(offset, offset + header + bodyLength), 'message');
    packets.push(readPkeskRecipient(packet!.body).algorithm);
    offset += header + bodyLength;
  }
  return packets;
}

/** Compares bytes natively; toEqual walks a 2.5 MiB array element by element for minutes. */
function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected);
}

async function readAll(spool: VerifiedSpool): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of spool.read()) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

describe('streaming post-quantum encryption', () => {
  it('writes only algorithm-35 PKESKs', async () => {
    const binary = await encryptStream([bob], 'binary');
    expect(binary.planMode).toBe('pq');
    expect(binaryPkeskAlgorithms(binary.bytes)).toEqual([35, 35]);

    const armored = await encryptStream([bob], 'armored');
    expect(armored.planMode).toBe('pq');
    expect(binaryPkeskAlgorithms(await dearmor(armored.bytes.toString('utf8'), 'message'))).toEqual(
      [35, 35],
    );
  });

  it('buffered decryption reads a streamed message', async () => {
    const { bytes } = await encryptStream([bob], 'armored');
    for (const reader of [bob, alice]) {
      const result = await decryptAndVerify({
        message: bytes.toString('utf8'),
        decryptionKeys: [reader.unlocked],
        verificationCertificates: [alice.certificate],
        expectedSignerAddress: 'alice@example.org',
      });
      expect(result.decryptedWith.postQuantum).toBe(true);
      expect(result.decryptedWith.subkeyFingerprint).toBe(reader.postQuantumSubkeyFingerprint);
      expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
      expect(sameBytes(result.data, plaintext)).toBe(true);
    }
  });

  it('streaming decryption reads a buffered message', async () => {
    const { message, plan } = await encryptAndSignWithPlan({
      data: plaintext,
      recipientCertificates: [bob.certificate],
      signingKey: alice.unlocked,
    });
    expect(plan.mode).toBe('pq');
    const spool = await decryptToSpool({
      message: Readable.from([Buffer.from(message, 'utf8')]),
      format: 'armored',
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'alice@example.org',
      spoolDirectory,
    });
    try {
      expect(spool.decryptedWith.postQuantum).toBe(true);
      expect(spool.decryptedWith.subkeyFingerprint).toBe(bob.postQuantumSubkeyFingerprint);
      expect(spool.signatures.map((signature) => signature.status)).toEqual(['valid']);
      expect(sameBytes(await readAll(spool), plaintext)).toBe(true);
    } finally {
      await spool.dispose();
    }
  });

  it('streaming decryption reads a streamed binary message', async () => {
    const { bytes } = await encryptStream([bob], 'binary');
    const spool = await decryptToSpool({
      message: Readable.from([bytes]),
      format: 'binary',
      decryptionKeys: [bob.unlocked],
      verificationCertificates: [alice.certificate],
      spoolDirectory,
    });
    try {
      expect(spool.decryptedWith.postQuantum).toBe(true);
      expect(spool.size).toBe(plaintext.length);
      expect(sameBytes(await readAll(spool), plaintext)).toBe(true);
    } finally {
      await spool.dispose();
    }
  });

  it('falls back to classical for a mixed set', async () => {
    const { bytes, planMode } = await encryptStream([bob, classicalCarol], 'armored');
    expect(planMode).toBe('classical');
    expect(binaryPkeskAlgorithms(await dearmor(bytes.toString('utf8'), 'message'))).toEqual([
      18, 18, 18,
    ]);
    const result = await decryptAndVerify({
      message: bytes.toString('utf8'),
      decryptionKeys: [classicalCarol.unlocked],
      verificationCertificates: [alice.certificate],
    });
    expect(result.decryptedWith.postQuantum).toBe(false);
    expect(sameBytes(result.data, plaintext)).toBe(true);
  });

  it("mode 'pq' rejects a mixed set", async () => {
    await expect(encryptStream([bob, classicalCarol], 'binary', 'pq')).rejects.toMatchObject({
      code: 'NO_ENCRYPTION_SUBKEY',
    });
  });

  it("mode 'classical' skips PQ subkeys", async () => {
    const { bytes, planMode } = await encryptStream([bob], 'armored', 'classical');
    expect(planMode).toBe('classical');
    expect(binaryPkeskAlgorithms(await dearmor(bytes.toString('utf8'), 'message'))).toEqual([
      18, 18,
    ]);
  });
});
