// Tampering: one flipped bit in the ciphertext must give DECRYPT_FAILED and no plaintext,
// while the message stays stored exactly as received.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '@sealpost/mail-transport';
import {
  createCorrespondents,
  deliverRaw,
  fetchRawFromServer,
  sendEncrypted,
  syncAndFind,
} from './stack.ts';
import type { TestUser } from './stack.ts';

const CANARY = 'canary-plaintext-8c2e';

/**
 * Returns where the encrypted data packet (SEIPD, tag 18) starts. It is the last packet of
 * the message, after one PKESK per recipient, so it runs to the end (RFC 9580 section 4.2).
 */
function encryptedDataOffset(binary: Buffer): number {
  let offset = 0;
  while (offset < binary.length) {
    const header = binary[offset]!;
    const tag = header & 0x40 ? header & 0x3f : (header >> 2) & 0x0f;
    if (tag === 18) return offset;

    // PKESK packets are short and never use partial lengths, so a plain length is enough.
    if (header & 0x40) {
      const first = binary[offset + 1]!;
      if (first < 192) offset += 2 + first;
      else if (first < 224) offset += 3 + ((first - 192) << 8) + binary[offset + 2]! + 192;
      else offset += 6 + binary.readUInt32BE(offset + 2);
    } else {
      const lengthType = header & 0x03;
      const lengthBytes = [1, 2, 4][lengthType]!;
      const length =
        lengthBytes === 1
          ? binary[offset + 1]!
          : lengthBytes === 2
            ? binary.readUInt16BE(offset + 1)
            : binary.readUInt32BE(offset + 1);
      offset += 1 + lengthBytes + length;
    }
  }
  throw new Error('no encrypted data packet found');
}

/**
 * Flips one bit in the encrypted data packet behind an armored message, at `fraction` of
 * its length, and re-armors the result without CRC.
 */
function flipBitInArmor(armored: string, fraction: number): string {
  const lines = armored.replace(/\r\n/g, '\n').split('\n');
  const begin = lines.findIndex((line) => line.startsWith('-----BEGIN PGP MESSAGE-----'));
  const blank = lines.indexOf('', begin);
  const end = lines.findIndex((line) => line.startsWith('-----END PGP MESSAGE-----'));
  const body = lines.slice(blank + 1, end).filter((line) => !line.startsWith('='));
  const binary = Buffer.from(body.join(''), 'base64');

  const start = encryptedDataOffset(binary);
  const offset = start + Math.floor((binary.length - start) * fraction);
  binary[offset] = binary[offset]! ^ 0x10;

  const base64 = binary.toString('base64').match(/.{1,64}/g)!;
  return ['-----BEGIN PGP MESSAGE-----', '', ...base64, '-----END PGP MESSAGE-----', ''].join(
    '\r\n',
  );
}

describe('tampered ciphertext', () => {
  let alice: TestUser;
  let bob: TestUser;
  let original: Buffer;

  beforeAll(async () => {
    ({ alice, bob } = await createCorrespondents());
    const sent = await sendEncrypted(alice, [bob], {
      subject: 'Tamper target',
      text: `${CANARY}\n`.repeat(20),
    });
    original = await fetchRawFromServer(bob, sent.messageId);
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  for (const fraction of [0.1, 0.5, 0.98]) {
    it(`a flipped bit at ${Math.round(fraction * 100)}% gives DECRYPT_FAILED`, async () => {
      const messageId = `tampered-${fraction}-${Date.now()}@sealpost.test`;
      const armored = parseMessage(original).encrypted!.armoredCiphertext;
      const text = original.toString('latin1');
      const tampered = Buffer.from(
        text
          .replace(
            armored.replace(/\r?\n/g, '\r\n').trimEnd(),
            flipBitInArmor(armored, fraction).trimEnd(),
          )
          .replace(/^Message-ID: .*$/im, `Message-ID: <${messageId}>\r`),
        'latin1',
      );
      expect(tampered.equals(original)).toBe(false);
      await deliverRaw(bob, tampered);

      const id = await syncAndFind(bob, `<${messageId}>`);
      const stored = bob.sealpost.mail.getRaw(id);
      const failure = await bob.sealpost.mail.read(id).then(
        () => null,
        (error: unknown) => error,
      );

      expect(failure).toMatchObject({ code: 'DECRYPT_FAILED' });
      expect(String((failure as Error).message)).not.toContain(CANARY);
      expect(Buffer.from(bob.sealpost.mail.getRaw(id)).equals(Buffer.from(stored))).toBe(true);
      expect(
        bob.sealpost.mail.list({ account: null, folder: 'INBOX' }).find((m) => m.id === id)
          ?.decryptionFailed,
      ).toBe(true);
    });
  }

  it('no plaintext reaches the data folder after a failed decryption', () => {
    for (const file of readdirSync(bob.home, { recursive: true }) as string[]) {
      const full = path.join(bob.home, file);
      try {
        expect(readFileSync(full).includes(CANARY)).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
  });
});
