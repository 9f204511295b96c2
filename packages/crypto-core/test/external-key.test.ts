// External signing and ECDH hooks, driven by software doubles of a token (noble-curves holding
// the secret) and checked against GnuPG 2.2 as the interoperability peer.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { createMessage, encrypt, generateKey, readKey, type PrivateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CryptoError,
  buildCertificateForExternalKeys,
  decryptWithExternalEcdh,
  signDetachedWithExternalSigner,
  type ExternalEcdh,
  type ExternalSigner,
} from '../src/index.ts';
import { GnuPG } from './helpers/gnupg.ts';

let gpg: GnuPG;
let secretKey: PrivateKey;
let certificate: string;
let seed: Uint8Array;
let ecdhScalar: Uint8Array;

function softwareSigner(secret: Uint8Array): ExternalSigner {
  return async (digest) => ed25519.sign(digest, secret);
}

function softwareEcdh(scalar: Uint8Array): ExternalEcdh {
  return async (point) => x25519.getSharedSecret(scalar, point);
}

beforeAll(async () => {
  gpg = new GnuPG('unused');
  const generated = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ email: 'token@sealpost.test' }],
    format: 'object',
  });
  secretKey = generated.privateKey;
  certificate = generated.publicKey.armor();
  const primaryParams = secretKey.keyPacket as unknown as { privateParams: { seed: Uint8Array } };
  seed = primaryParams.privateParams.seed;
  const subkeyParams = secretKey.subkeys[0]!.keyPacket as unknown as {
    privateParams: { d: Uint8Array };
  };
  // OpenPGP stores the Curve25519 ECDH secret big-endian; X25519 takes the reversed bytes.
  ecdhScalar = subkeyParams.privateParams.d.slice().reverse();
  gpg.ok(['--import'], certificate);
});

afterAll(() => gpg.cleanup());

describe('signDetachedWithExternalSigner', () => {
  it('produces a signature GnuPG verifies', async () => {
    const data = new TextEncoder().encode('Signed on the card.\n');
    const signature = await signDetachedWithExternalSigner({
      data,
      certificate,
      sign: softwareSigner(seed),
    });
    const signaturePath = gpg.writeFile('message.sig', signature);
    const dataPath = gpg.writeFile('message.txt', data);
    const result = gpg.run(['--verify', signaturePath, dataPath]);
    expect(result.stderr).toContain('Good signature');
    expect(result.status).toBe(0);
  });

  it('rejects a signer holding another key', async () => {
    const other = ed25519.utils.randomSecretKey();
    const attempt = signDetachedWithExternalSigner({
      data: 'x',
      certificate,
      sign: softwareSigner(other),
    });
    await expect(attempt).rejects.toBeInstanceOf(CryptoError);
    await expect(attempt).rejects.toMatchObject({ code: 'SIGN_FAILED' });
  });
});

describe('decryptWithExternalEcdh', () => {
  it('decrypts a message GnuPG encrypted', async () => {
    const encrypted = gpg.ok(
      ['--armor', '--encrypt', '--recipient', 'token@sealpost.test'],
      'to the token\n',
    );
    const result = await decryptWithExternalEcdh({
      message: encrypted.toString('utf8'),
      certificate,
      ecdh: softwareEcdh(ecdhScalar),
    });
    expect(new TextDecoder().decode(result.data)).toBe('to the token\n');
    expect(result.subkeyFingerprint).toBe(secretKey.subkeys[0]!.getFingerprint());
  });

  it('fails closed with another ECDH key', async () => {
    const message = await encrypt({
      message: await createMessage({ text: 'secret' }),
      encryptionKeys: await readKey({ armoredKey: certificate }),
    });
    const attempt = decryptWithExternalEcdh({
      message,
      certificate,
      ecdh: softwareEcdh(x25519.utils.randomSecretKey()),
    });
    await expect(attempt).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});

describe('buildCertificateForExternalKeys', () => {
  it('builds a certificate GnuPG imports and uses', async () => {
    const signingSecret = ed25519.utils.randomSecretKey();
    const decryptionSecret = x25519.utils.randomSecretKey();
    const built = await buildCertificateForExternalKeys({
      signingPublicKey: ed25519.getPublicKey(signingSecret),
      decryptionPublicKey: x25519.getPublicKey(decryptionSecret),
      created: new Date(Date.now() - 60_000),
      userId: { name: 'Card Holder', email: 'card@sealpost.test' },
      sign: softwareSigner(signingSecret),
    });
    gpg.ok(['--import'], built.armored);
    expect(gpg.fingerprintOf('card@sealpost.test')).toBe(built.primaryFingerprint);

    const encrypted = gpg.ok(
      ['--armor', '--encrypt', '--recipient', 'card@sealpost.test'],
      'hello card\n',
    );
    const result = await decryptWithExternalEcdh({
      message: encrypted.toString('utf8'),
      certificate: built.armored,
      ecdh: softwareEcdh(decryptionSecret),
    });
    expect(new TextDecoder().decode(result.data)).toBe('hello card\n');
    expect(result.subkeyFingerprint).toBe(built.subkeyFingerprint);
  });
});
