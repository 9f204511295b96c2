// End to end through pcscd and vpcd: keys generated on or imported into the emulated OpenPGP
// card sign messages that GnuPG verifies and decrypt messages that GnuPG encrypted.
import {
  buildCertificateForExternalKeys,
  decryptWithExternalEcdh,
  fingerprintsOfExternalKeys,
  signDetachedWithExternalSigner,
} from '@sealpost/crypto-core';
import { generateKey, type PrivateKey } from 'openpgp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenPgpCard } from '@sealpost/hardware-token';
import { GnuPG } from '../../../../packages/hardware-token/test/helpers/gnupg.ts';
import { VirtualCardBench } from '../../../../packages/hardware-token/test/helpers/virtual-card.ts';

const USER_PIN = '123456';
const ADMIN_PIN = '12345678';

let bench: VirtualCardBench;
let gpg: GnuPG;

beforeAll(async () => {
  bench = await VirtualCardBench.start();
  gpg = new GnuPG();
});
afterEach(async () => {
  await bench.removeCard();
});
afterAll(async () => {
  await bench.stop();
  gpg.cleanup();
});

function hexBytes(fingerprint: string): Uint8Array {
  return new Uint8Array(Buffer.from(fingerprint, 'hex'));
}

function verifyWithGpg(signature: string, data: string): { status: number; stderr: string } {
  const signaturePath = gpg.writeFile('card.sig', signature);
  const dataPath = gpg.writeFile('card.txt', data);
  return gpg.run(['--verify', signaturePath, dataPath]);
}

async function signOnCard(
  card: OpenPgpCard,
  certificate: string,
  data: string,
  expected: Uint8Array,
) {
  return signDetachedWithExternalSigner({
    data,
    certificate,
    sign: (digest) => card.sign(digest, { pin: USER_PIN, expectedFingerprint: expected }),
  });
}

describe('OpenPGP card with GnuPG', () => {
  it('generates keys that GnuPG accepts', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const signingPublicKey = await card.generateKey('signature', 'ed25519', ADMIN_PIN);
    const decryptionPublicKey = await card.generateKey('decryption', 'x25519', ADMIN_PIN);
    const keys = { signingPublicKey, decryptionPublicKey, created: new Date(Date.now() - 60_000) };

    const fingerprints = await fingerprintsOfExternalKeys(keys);
    await card.setKeyMetadata('signature', hexBytes(fingerprints.primaryFingerprint), keys.created);
    await card.setKeyMetadata('decryption', hexBytes(fingerprints.subkeyFingerprint), keys.created);
    const expected = hexBytes(fingerprints.primaryFingerprint);
    const built = await buildCertificateForExternalKeys({
      ...keys,
      userId: { name: 'Card Holder', email: 'generated@sealpost.test' },
      sign: (digest) => card.sign(digest, { pin: USER_PIN, expectedFingerprint: expected }),
    });
    expect(built.primaryFingerprint).toBe(fingerprints.primaryFingerprint);
    gpg.ok(['--import'], built.armored);

    const signature = await signOnCard(
      card,
      built.armored,
      'Signed by a generated key.\n',
      expected,
    );
    const verification = verifyWithGpg(signature, 'Signed by a generated key.\n');
    expect(verification.stderr).toContain('Good signature');
    expect(verification.status).toBe(0);

    const encrypted = gpg.ok(
      ['--armor', '--encrypt', '--recipient', 'generated@sealpost.test'],
      'for the card\n',
    );
    const decrypted = await decryptWithExternalEcdh({
      message: encrypted.toString('utf8'),
      certificate: built.armored,
      ecdh: (point) =>
        card.decipher(point, {
          pin: USER_PIN,
          expectedFingerprint: hexBytes(fingerprints.subkeyFingerprint),
        }),
    });
    expect(new TextDecoder().decode(decrypted.data)).toBe('for the card\n');
    expect(bench.applet?.signatureCount).toBe(3);
  });

  it('imports an existing key and uses it', async () => {
    await bench.insertCard();
    const card = await bench.open();
    const generated = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'imported@sealpost.test' }],
      format: 'object',
    });
    const secretKey: PrivateKey = generated.privateKey;
    const certificate = generated.publicKey.armor();
    const primary = secretKey.keyPacket as unknown as { privateParams: { seed: Uint8Array } };
    const subkey = secretKey.subkeys[0]!.keyPacket as unknown as {
      privateParams: { d: Uint8Array };
    };

    await card.importKey('signature', 'ed25519', primary.privateParams.seed, ADMIN_PIN);
    await card.importKey('decryption', 'x25519', subkey.privateParams.d, ADMIN_PIN);
    const primaryFingerprint = hexBytes(secretKey.getFingerprint());
    const subkeyFingerprint = hexBytes(secretKey.subkeys[0]!.getFingerprint());
    await card.setKeyMetadata('signature', primaryFingerprint, secretKey.getCreationTime());
    await card.setKeyMetadata(
      'decryption',
      subkeyFingerprint,
      secretKey.subkeys[0]!.getCreationTime(),
    );
    gpg.ok(['--import'], certificate);

    const signature = await signOnCard(
      card,
      certificate,
      'Signed by an imported key.\n',
      primaryFingerprint,
    );
    const verification = verifyWithGpg(signature, 'Signed by an imported key.\n');
    expect(verification.stderr).toContain('Good signature');
    expect(verification.status).toBe(0);

    const encrypted = gpg.ok(['--encrypt', '--recipient', 'imported@sealpost.test'], 'imported\n');
    const decrypted = await decryptWithExternalEcdh({
      message: new Uint8Array(encrypted),
      certificate,
      ecdh: (point) =>
        card.decipher(point, { pin: USER_PIN, expectedFingerprint: subkeyFingerprint }),
    });
    expect(new TextDecoder().decode(decrypted.data)).toBe('imported\n');
  });
});
