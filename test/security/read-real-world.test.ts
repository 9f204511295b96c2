// Real-world shapes through the whole read path (IMAP delivery, storage, decryption,
// verification): mixed-up PGP/MIME, the ciphertext part found by structure, ISO-8859-1
// clearsigned inline PGP, missing or wrong micalg, weak hashes, and the signed-then-encrypted
// and signed-and-encrypted forms. Each message is a template under test/fixtures/mail.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  base64Lines,
  loadMailFixture,
  quotedPrintable,
  readFixtureBytes,
} from '../fixtures/load.ts';
import { openHarness, type Harness } from './read-harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await openHarness();
});

afterAll(() => {
  harness?.close();
});

function addresses(messageId: string): Record<string, string> {
  return {
    FROM: harness.alice.address,
    TO: harness.bob.address,
    MESSAGE_ID: messageId,
    OUTER_SUBJECT: '...',
  };
}

function protectedPayload(messageId: string, text: string): Uint8Array {
  return loadMailFixture('payload-protected.eml', {
    ...addresses(messageId),
    INNER_SUBJECT: 'Quarterly numbers',
    TEXT: text,
  });
}

async function encryptedMessage(fixture: string, text: string): Promise<[Uint8Array, string]> {
  const messageId = harness.messageId();
  const armored = await harness.encrypt(protectedPayload(messageId, text));
  const raw = loadMailFixture(fixture, {
    ...addresses(messageId),
    ARMOR: armored.trim(),
    ARMOR_BASE64: base64Lines(armored),
  });
  return [raw, messageId];
}

describe('mixed-up and renamed PGP/MIME', () => {
  for (const fixture of [
    'mixed-up-exchange.eml',
    'mixed-up-without-text-part.eml',
    'encrypted-named-msg-asc.eml',
    'encrypted-unnamed-inline.eml',
  ]) {
    it(`decrypts ${fixture.replace('.eml', '')}`, async () => {
      const [raw, messageId] = await encryptedMessage(fixture, `Body of ${fixture}.`);
      const { id, result } = await harness.deliverAndRead(raw, messageId);

      expect(result.kind).toBe('pgp-mime-encrypted');
      expect(result.encryption.status).toBe('encrypted');
      expect(result.subject).toBe('Quarterly numbers');
      expect(result.headersProtected).toBe(true);
      expect(result.text).toBe(`Body of ${fixture}.`);
      expect(result.text).not.toContain('Content-Type');
      expect(result.signatureSummary).toBe('verified');
      expect(result.signatureCoverage).toBe('full');
      expect(new Uint8Array(harness.bob.sealpost.mail.getRaw(id))).toEqual(raw);
    });
  }
});

describe('inline PGP in ISO-8859-1', () => {
  it('verifies over the original bytes', async () => {
    const messageId = harness.messageId();
    const clearsigned = harness.gpg.clearsign(readFixtureBytes('inline-latin1-clearsigned.txt'));
    const raw = loadMailFixture('inline-latin1-clearsigned.eml', {
      ...addresses(messageId),
      FROM: harness.gpg.address,
      CLEARSIGNED_QP: quotedPrintable(clearsigned),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);

    expect(result.kind).toBe('inline-pgp-signed');
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatureSummary).toBe('verified');
    expect(result.text).toContain('Grüße aus Köln, schöne Grüße!');
    expect(result.text).toContain('- dashed line stays');
    expect(result.text).toContain('End à bientôt.');
  });
});

describe('micalg on multipart/signed', () => {
  for (const [name, micalg] of [
    ['missing', ''],
    ['wrong', 'micalg=pgp-md5; '],
  ] as const) {
    it(`${name} micalg uses the packet hash`, async () => {
      const messageId = harness.messageId();
      const raw = loadMailFixture('signed-detached.eml', {
        ...addresses(messageId),
        MICALG: micalg,
        ...(await harness.signedPart(`Signed with ${name} micalg.`)),
      });
      const { result } = await harness.deliverAndRead(raw, messageId);
      expect(result.kind).toBe('pgp-mime-signed');
      expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
      expect(result.signatureSummary).toBe('verified');
      expect(result.text).toBe(`Signed with ${name} micalg.`);
    });
  }

  for (const digest of ['SHA1', 'MD5']) {
    it(`rejects a ${digest} signature`, async () => {
      const messageId = harness.messageId();
      const { SIGNED_PART } = await harness.signedPart(`Signed with ${digest}.`);
      const signature = harness.gpg.detachSign(
        new Uint8Array(Buffer.from(SIGNED_PART, 'latin1')),
        digest,
      );
      const raw = loadMailFixture('signed-detached.eml', {
        ...addresses(messageId),
        FROM: harness.gpg.address,
        MICALG: `micalg=pgp-${digest.toLowerCase()}; `,
        SIGNED_PART,
        SIGNATURE: signature.trim(),
      });
      const { result } = await harness.deliverAndRead(raw, messageId);
      expect(result.signatures.map((entry) => entry.status)).toEqual(['invalid']);
      expect(result.signatures[0]?.reason).toMatch(new RegExp(`${digest}.*too weak`));
      expect(result.signatureSummary).toBe('invalid');
    });
  }
});

describe('signed and encrypted', () => {
  it('shows signed-then-encrypted as signed', async () => {
    const messageId = harness.messageId();
    const payload = loadMailFixture(
      'payload-signed.eml',
      await harness.signedPart('Signed, then encrypted.'),
    );
    const armored = await harness.encrypt(payload, false);
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId),
      ARMOR: armored.trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.encryption.status).toBe('encrypted');
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatureCoverage).toBe('full');
    expect(result.signatureSummary).toBe('verified');
    expect(result.text).toBe('Signed, then encrypted.');
  });

  it('shows signed-and-encrypted as signed', async () => {
    const [raw, messageId] = await encryptedMessage(
      'encrypted-unnamed-inline.eml',
      'Signed and encrypted in one message.',
    );
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatureCoverage).toBe('full');
    expect(result.signatureSummary).toBe('verified');
  });

  it('shows a signed part in the payload as partial', async () => {
    const messageId = harness.messageId();
    const payload = loadMailFixture(
      'payload-partially-signed.eml',
      await harness.signedPart('Only this part is signed.'),
    );
    const armored = await harness.encrypt(payload, false);
    const raw = loadMailFixture('encrypted-unnamed-inline.eml', {
      ...addresses(messageId),
      ARMOR: armored.trim(),
    });
    const { result } = await harness.deliverAndRead(raw, messageId);
    expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
    expect(result.signatureCoverage).toBe('partial');
    expect(result.signatureSummary).toBe('partially-signed');
    expect(result.text).toContain('Unsigned text before the signed part.');
  });
});
