// Interoperability with GnuPG 2.2 in both directions: our certificate, secret key and
// messages in gpg, and gpg's keys, messages and signatures in crypto-core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  encryptAndSign,
  importSecretKey,
  readCertificate,
  readKeys,
  signDetached,
  unlockSecretKey,
  verifyCleartext,
  verifyDetached,
  type UnlockedKey,
} from '../../src/index.ts';
import { GnuPG } from '../helpers/gnupg.ts';
import {
  decoder,
  encoder,
  makeIdentity,
  passphrase,
  type TestIdentity,
} from '../helpers/identities.ts';

const gpgPassphrase = 'gpg test passphrase';

let gpg: GnuPG;
let ours: TestIdentity;
let gpgFingerprint: string;
let gpgCertificate: string;
let gpgSecretKey: string;
let gpgUnlocked: UnlockedKey;

beforeAll(async () => {
  gpg = new GnuPG(gpgPassphrase);
  ours = await makeIdentity('sealpost@example.org');

  gpgFingerprint = gpg.generateEd25519Key('Gnu User <gnu@example.org>');
  gpgCertificate = gpg.ok(['--armor', '--export', gpgFingerprint]).toString('utf8');
  gpgSecretKey = gpg.ok(['--armor', '--export-secret-keys', gpgFingerprint]).toString('utf8');

  // Our secret key goes into gpg under our passphrase.
  gpg.ok(['--passphrase', passphrase, '--import'], ours.secretKey);
});

afterAll(() => {
  gpgUnlocked?.clear();
  gpg?.cleanup();
});

describe('crypto-core keys in GnuPG', () => {
  it('import with both subkeys', () => {
    const listing = gpg
      .ok(['--with-colons', '--list-secret-keys', ours.fingerprint])
      .toString('utf8');
    const records = listing.split('\n').map((line) => line.split(':'));
    const primary = records.find((fields) => fields[0] === 'sec');
    const subkey = records.find((fields) => fields[0] === 'ssb');
    expect(primary?.[3]).toBe('22'); // EdDSA
    expect(subkey?.[3]).toBe('18'); // ECDH
    expect(records.find((fields) => fields[0] === 'fpr')?.[9]?.toLowerCase()).toBe(
      ours.fingerprint,
    );
    expect(listing).toContain('sealpost@example.org');
  });

  it('decrypt and verify in gpg', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('Hello GnuPG from Sealpost\n'),
      recipientCertificates: [gpgCertificate],
      signingKey: ours.unlocked,
    });
    const input = gpg.writeFile('from-sealpost.asc', armored);
    // gpg decrypts with its own key and verifies the signature with our certificate.
    const result = gpg.run(['--status-fd', '2', '--output', '-', '--decrypt', input]);

    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`\\[GNUPG:\\] GOODSIG ${ours.fingerprint.slice(-16).toUpperCase()}`),
    );
    expect(result.stderr).toMatch(
      new RegExp(`\\[GNUPG:\\] VALIDSIG ${ours.fingerprint.toUpperCase()}`),
    );
    expect(result.stderr).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(result.stderr).toContain('[GNUPG:] GOODMDC');
    expect(result.stdout.toString('utf8')).toBe('Hello GnuPG from Sealpost\n');
  });

  it('decrypt with our imported secret key in gpg', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('only for the Sealpost key'),
      recipientCertificates: [],
      signingKey: ours.unlocked,
      mode: 'classical',
    });
    const input = gpg.writeFile('to-self.asc', armored);
    const result = gpg.run([
      '--passphrase',
      passphrase,
      '--status-fd',
      '2',
      '--output',
      '-',
      '--decrypt',
      input,
    ]);

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(result.stdout.toString('utf8')).toBe('only for the Sealpost key');
  });

  it('verify our detached signature in gpg', async () => {
    const data = encoder.encode('Content-Type: text/plain\r\n\r\nsigned part\r\n');
    const signature = await signDetached({ data, signingKey: ours.unlocked });
    const dataPath = gpg.writeFile('part.txt', data);
    const signaturePath = gpg.writeFile('part.txt.asc', signature);

    const result = gpg.run(['--status-fd', '2', '--verify', signaturePath, dataPath]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`[GNUPG:] VALIDSIG ${ours.fingerprint.toUpperCase()}`);
  });
});

describe('GnuPG keys in crypto-core', () => {
  it('read the exported certificate', async () => {
    const info = await readCertificate(gpgCertificate);
    expect(info.fingerprint).toBe(gpgFingerprint);
    expect(info.algorithm).toBe('eddsaLegacy');
    expect(info.addresses).toEqual(['gnu@example.org']);
    expect(info.hasEncryptionSubkey).toBe(true);
    expect(info.isRevoked).toBe(false);
  });

  it('import the exported secret key', async () => {
    const blocks = await readKeys(gpgSecretKey);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.isSecret).toBe(true);

    await expect(importSecretKey(gpgSecretKey, 'wrong')).rejects.toMatchObject({
      code: 'INVALID_PASSPHRASE',
    });
    const imported = await importSecretKey(gpgSecretKey, gpgPassphrase);
    expect(imported.info.fingerprint).toBe(gpgFingerprint);
    expect(imported.info.isProtected).toBe(true);
    gpgUnlocked = await unlockSecretKey(imported.secretKey, gpgPassphrase);
  });

  it('decrypt and verify gpg --encrypt --sign', async () => {
    gpg.ok(['--import'], ours.certificate);
    const plaintextPath = gpg.writeFile('to-sealpost.txt', 'Hello Sealpost from GnuPG\n');
    const armored = gpg
      .ok([
        '--armor',
        '--encrypt',
        '--sign',
        '-u',
        gpgFingerprint,
        '-r',
        ours.fingerprint,
        '--output',
        '-',
        plaintextPath,
      ])
      .toString('utf8');

    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [ours.unlocked],
      verificationCertificates: [gpgCertificate],
      expectedSignerAddress: 'GNU@example.org',
    });
    expect(decoder.decode(result.data)).toBe('Hello Sealpost from GnuPG\n');
    expect(result.decryptedWith.primaryFingerprint).toBe(ours.fingerprint);
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]!.status).toBe('valid');
    expect(result.signatures[0]!.signerFingerprint).toBe(gpgFingerprint);
    expect(result.signatures[0]!.signerMatchesAddress).toBe(true);

    const withoutCertificate = await decryptAndVerify({
      message: armored,
      decryptionKeys: [ours.unlocked],
      verificationCertificates: [],
    });
    expect(withoutCertificate.signatures[0]!.status).toBe('unknown-key');
  });

  it('decrypt a message to the imported gpg key', async () => {
    const armored = await encryptAndSign({
      data: encoder.encode('to the gpg key, read by crypto-core'),
      recipientCertificates: [gpgCertificate],
      signingKey: ours.unlocked,
    });
    const result = await decryptAndVerify({
      message: armored,
      decryptionKeys: [gpgUnlocked],
      verificationCertificates: [ours.certificate],
    });
    expect(decoder.decode(result.data)).toBe('to the gpg key, read by crypto-core');
    expect(result.decryptedWith.primaryFingerprint).toBe(gpgFingerprint);
    expect(result.decryptedWith.subkeyFingerprint).not.toBe(gpgFingerprint);
  });

  it('verify gpg cleartext and detached signatures', async () => {
    const textPath = gpg.writeFile('clear.txt', 'Inline PGP from GnuPG\n');
    const clearsigned = gpg
      .ok(['--clearsign', '-u', gpgFingerprint, '--output', '-', textPath])
      .toString('utf8');
    const cleartext = await verifyCleartext({
      message: clearsigned,
      verificationCertificates: [gpgCertificate],
    });
    expect(cleartext.text.trimEnd()).toBe('Inline PGP from GnuPG');
    expect(cleartext.signatures[0]!.status).toBe('valid');

    const detached = gpg
      .ok(['--armor', '--detach-sign', '-u', gpgFingerprint, '--output', '-', textPath])
      .toString('utf8');
    const results = await verifyDetached({
      data: encoder.encode('Inline PGP from GnuPG\n'),
      signature: detached,
      verificationCertificates: [gpgCertificate],
    });
    expect(results[0]!.status).toBe('valid');
  });

  it('mark a SHA-1 signature invalid', async () => {
    const rsaFingerprint = (() => {
      gpg.ok(['--quick-gen-key', 'Old RSA <old@example.org>', 'rsa2048', 'sign,cert', 'never']);
      return gpg.fingerprintOf('old@example.org');
    })();
    const rsaCertificate = gpg.ok(['--armor', '--export', rsaFingerprint]).toString('utf8');
    const textPath = gpg.writeFile('sha1.txt', 'signed with SHA-1\n');
    const signature = gpg
      .ok([
        '--armor',
        '--detach-sign',
        '--digest-algo',
        'SHA1',
        '-u',
        rsaFingerprint,
        '--output',
        '-',
        textPath,
      ])
      .toString('utf8');

    const results = await verifyDetached({
      data: encoder.encode('signed with SHA-1\n'),
      signature,
      verificationCertificates: [rsaCertificate],
    });
    expect(results[0]!.status).toBe('invalid');
    expect(results[0]!.reason).toMatch(/SHA1.*SHA-256 or stronger/);
    expect(results[0]!.signerFingerprint).toBe(rsaFingerprint);
  });
});
