// ASCII armor as other implementations write it (RFC 9580 section 6.2): base64 lines of 64,
// 76 or 200 characters or one unbroken line, with or without the CRC-24 line, and with
// Comment: and Version: armor headers. Every form decrypts to the same plaintext.

import { beforeAll, describe, expect, it } from 'vitest';
import { decryptAndVerify, encryptAndSign } from '../../src/index.ts';
import { encoder, makeIdentity, type TestIdentity } from '../helpers/identities.ts';

let alice: TestIdentity;
let bob: TestIdentity;
let base64: string;
let checksum: string;
const plaintext = encoder.encode('Armor variants.\n'.repeat(40));

beforeAll(async () => {
  [alice, bob] = await Promise.all([
    makeIdentity('alice@example.org'),
    makeIdentity('bob@example.org'),
  ]);
  const armored = await encryptAndSign({
    data: plaintext,
    recipientCertificates: [bob.certificate],
    signingKey: alice.unlocked,
  });
  const lines = armored.trim().split(/\r?\n/);
  const body = lines.slice(lines.indexOf('') + 1, -1);
  base64 = body.filter((line) => !line.startsWith('=')).join('');
  checksum = crc24Line(Buffer.from(base64, 'base64'));
});

/** Computes the armor checksum line: "=" and the base64 CRC-24 (RFC 9580 section 6.1). */
function crc24Line(data: Uint8Array): string {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  crc &= 0xffffff;
  return '=' + Buffer.from([crc >> 16, (crc >> 8) & 0xff, crc & 0xff]).toString('base64');
}

function rearmor(width: number, options: { headers?: string[]; crc?: boolean } = {}): string {
  const lines = width === 0 ? [base64] : (base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []);
  return [
    '-----BEGIN PGP MESSAGE-----',
    ...(options.headers ?? []),
    '',
    ...lines,
    ...(options.crc ? [checksum] : []),
    '-----END PGP MESSAGE-----',
    '',
  ].join('\r\n');
}

async function decrypts(armored: string): Promise<void> {
  const result = await decryptAndVerify({
    message: armored,
    decryptionKeys: [bob.unlocked],
    verificationCertificates: [alice.certificate],
  });
  expect(result.data).toEqual(plaintext);
  expect(result.signatures.map((signature) => signature.status)).toEqual(['valid']);
}

describe('armor line widths', () => {
  for (const width of [0, 64, 76, 200]) {
    it(`reads width ${width === 0 ? 'unwrapped' : width}`, async () => {
      await decrypts(rearmor(width));
    });
  }
});

describe('armor headers and checksum', () => {
  it('reads armor without CRC', async () => {
    expect(rearmor(64)).not.toMatch(/^=/m);
    await decrypts(rearmor(64));
  });

  it('reads armor with CRC', async () => {
    await decrypts(rearmor(64, { crc: true }));
  });

  // RFC 9580 section 6.1: a CRC-24 that disagrees must not make the reader reject the
  // object; the MDC or AEAD tag protects the data instead.
  it('ignores a wrong CRC', async () => {
    const other = checksum === '=AAAA' ? '=AAAB' : '=AAAA';
    await decrypts(rearmor(64, { crc: true }).replace(checksum, other));
  });

  it('reads Comment and Version headers', async () => {
    await decrypts(
      rearmor(76, { headers: ['Version: GnuPG v2', 'Comment: https://example.org/key.asc'] }),
    );
  });
});
