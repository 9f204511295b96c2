// Peers without algorithm 35: GnuPG 2.2 and Sequoia sq 0.27 read a certificate with an
// ML-KEM-768+X25519 subkey, keep using its Curve25519 subkey, and we decrypt what they send.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptAndVerify } from '../../src/index.ts';
import { GnuPG } from '../helpers/gnupg.ts';
import { decoder, makeIdentity, passphrase, type TestIdentity } from '../helpers/identities.ts';
import { pkeskAlgorithms } from './helpers.ts';

const sqPath = '/usr/bin/sq';
let ours: TestIdentity;
let gpg: GnuPG;

beforeAll(async () => {
  ours = await makeIdentity('pq-peer@example.org');
  gpg = new GnuPG(passphrase);
});

afterAll(() => gpg.cleanup());

describe('GnuPG 2.2 with a PQ certificate', () => {
  it('imports the certificate', () => {
    gpg.ok(['--import', gpg.writeFile('ours.asc', ours.certificate)]);
    const listing = gpg
      .ok(['--with-colons', '--with-subkey-fingerprints', '--list-keys', ours.fingerprint])
      .toString('utf8');
    expect(listing).toContain(ours.fingerprint.toUpperCase());
    // GnuPG lists the algorithm-35 subkey but cannot use it.
    expect(listing.toLowerCase()).toContain(ours.postQuantumSubkeyFingerprint!);
  });

  it('encrypts to the classical subkey, which we decrypt', async () => {
    const armored = gpg
      .ok(['--armor', '--recipient', ours.fingerprint, '--encrypt'], 'from GnuPG\n')
      .toString('utf8');
    expect(await pkeskAlgorithms(armored)).toEqual([18]);

    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [ours.unlocked],
      verificationCertificates: [],
    });
    expect(decoder.decode(result.data)).toBe('from GnuPG\n');
    expect(result.decryptedWith.postQuantum).toBe(false);
  });
});

describe.skipIf(!existsSync(sqPath))('Sequoia sq with a PQ certificate', () => {
  it('reads the certificate and encrypts to it', async () => {
    const certificateFile = gpg.writeFile('ours-sq.asc', ours.certificate);
    const inspect = spawnSync(sqPath, ['inspect', certificateFile], { timeout: 60_000 });
    expect(inspect.status).toBe(0);
    expect(inspect.stdout.toString('utf8')).toContain(ours.fingerprint.toUpperCase());

    const encrypted = spawnSync(sqPath, ['encrypt', '--recipient-cert', certificateFile], {
      input: 'from Sequoia\n',
      timeout: 60_000,
    });
    expect(encrypted.status).toBe(0);
    const armored = encrypted.stdout.toString('utf8');
    expect(await pkeskAlgorithms(armored)).toEqual([18]);

    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [ours.unlocked],
      verificationCertificates: [],
    });
    expect(decoder.decode(result.data)).toBe('from Sequoia\n');
  });
});
