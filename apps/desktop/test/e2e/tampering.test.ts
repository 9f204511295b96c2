// Tampering: one flipped bit in the ciphertext must give DECRYPT_FAILED and no plaintext,
// while the message stays stored exactly as received.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '@sealpost/mail-transport';
import {
  createUser,
  deliverRaw,
  fetchRawFromServer,
  swapCertificates,
  syncAndFind,
} from './stack.ts';
import type { TestUser } from './stack.ts';

const CANARY = 'canary-plaintext-8c2e';

/** Flips one bit in the binary OpenPGP data behind an armored block, and re-armors it without CRC. */
function flipBitInArmor(armored: string, byteOffsetFraction: number): string {
  const lines = armored.replace(/\r\n/g, '\n').split('\n');
  const begin = lines.findIndex((line) => line.startsWith('-----BEGIN PGP MESSAGE-----'));
  const blank = lines.indexOf('', begin);
  const end = lines.findIndex((line) => line.startsWith('-----END PGP MESSAGE-----'));
  const body = lines.slice(blank + 1, end).filter((line) => !line.startsWith('='));
  const binary = Buffer.from(body.join(''), 'base64');

  const offset = Math.floor(binary.length * byteOffsetFraction);
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
    alice = await createUser('alice');
    bob = await createUser('bob');
    await swapCertificates(alice, bob);
    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [bob.address],
      cc: [],
      bcc: [],
      subject: 'Tamper target',
      text: `${CANARY}\n`.repeat(20),
      attachments: [],
      allowPlaintext: false,
    });
    original = await fetchRawFromServer(bob, sent.messageId);
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
  });

  for (const fraction of [0.5, 0.75, 0.98]) {
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
