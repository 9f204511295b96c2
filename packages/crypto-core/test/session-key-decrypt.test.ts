// Decryption with a session key unwrapped through an external ECDH hook (a software double of
// a token, noble-curves holding the secret), with the signatures inside checked as
// decryptAndVerify checks them.
import { x25519 } from '@noble/curves/ed25519.js';
import { encryptKey, generateKey, type PrivateKey } from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decryptAndVerify,
  decryptWithSessionKey,
  encryptAndSign,
  unwrapSessionKeyWithExternalEcdh,
  type ExternalEcdh,
  type ExternalSessionKey,
} from '../src/index.ts';
import { decoder, encoder, makeIdentity, type TestIdentity } from './helpers/identities.ts';

let alice: TestIdentity;
let tokenKey: PrivateKey;
let tokenCertificate: string;
/** The token's key protected with TOKEN_PASSPHRASE, for decryptAndVerify as the peer. */
let tokenSecretKey: string;
const TOKEN_PASSPHRASE = 'token passphrase';
let ecdhScalar: Uint8Array;

function softwareEcdh(scalar: Uint8Array): ExternalEcdh {
  return async (point) => x25519.getSharedSecret(scalar, point);
}

async function encryptedToToken(text: string): Promise<string> {
  return encryptAndSign({
    data: encoder.encode(text),
    recipientCertificates: [tokenCertificate],
    signingKey: alice.unlocked,
    encryptToSigner: false,
    mode: 'classical',
  });
}

async function unwrap(message: string): Promise<ExternalSessionKey> {
  return unwrapSessionKeyWithExternalEcdh({
    message,
    certificate: tokenCertificate,
    ecdh: softwareEcdh(ecdhScalar),
  });
}

beforeAll(async () => {
  alice = await makeIdentity('alice@sealpost.test');
  const generated = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ email: 'token@sealpost.test' }],
    format: 'object',
  });
  tokenKey = generated.privateKey;
  tokenCertificate = generated.publicKey.armor();
  const subkeyParams = tokenKey.subkeys[0]!.keyPacket as unknown as {
    privateParams: { d: Uint8Array };
  };
  // OpenPGP stores the Curve25519 ECDH secret big-endian; X25519 takes the reversed bytes.
  ecdhScalar = subkeyParams.privateParams.d.slice().reverse();
  tokenSecretKey = (
    await encryptKey({ privateKey: tokenKey, passphrase: TOKEN_PASSPHRASE })
  ).armor();
});

describe('decryptWithSessionKey', () => {
  it('verifies the signature inside', async () => {
    const message = await encryptedToToken('signed by alice\n');
    const sessionKey = await unwrap(message);

    const result = await decryptWithSessionKey({
      message,
      sessionKey,
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'alice@sealpost.test',
    });

    expect(decoder.decode(result.data)).toBe('signed by alice\n');
    expect(sessionKey.subkeyFingerprint).toBe(tokenKey.subkeys[0]!.getFingerprint());
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]?.status).toBe('valid');
    expect(result.signatures[0]?.signerFingerprint).toBe(alice.fingerprint);
    expect(result.signatures[0]?.signerMatchesAddress).toBe(true);
  });

  it('matches decryptAndVerify', async () => {
    const message = await encryptedToToken('same result\n');
    const options = {
      verificationCertificates: [alice.certificate],
      expectedSignerAddress: 'someone-else@sealpost.test',
    };

    const withSessionKey = await decryptWithSessionKey({
      message,
      sessionKey: await unwrap(message),
      ...options,
    });
    const withKey = await decryptAndVerify({
      message,
      decryptionKeys: [{ secretKey: tokenSecretKey, passphrase: TOKEN_PASSPHRASE }],
      ...options,
    });

    expect(withSessionKey.data).toEqual(withKey.data);
    expect(withSessionKey.signatures[0]?.signerMatchesAddress).toBe(false);
    expect(withSessionKey.signatures).toEqual(withKey.signatures);
  });

  it('reports an unknown signer', async () => {
    const message = await encryptedToToken('no certificate\n');

    const result = await decryptWithSessionKey({
      message,
      sessionKey: await unwrap(message),
      verificationCertificates: [],
    });

    expect(result.signatures[0]?.status).toBe('unknown-key');
    expect(result.signatures[0]?.signerFingerprint).toBeNull();
  });

  it('fails closed with a wrong session key', async () => {
    const message = await encryptedToToken('integrity\n');
    const sessionKey = await unwrap(message);
    sessionKey.data[0] = sessionKey.data[0]! ^ 0x01;

    const attempt = decryptWithSessionKey({ message, sessionKey, verificationCertificates: [] });

    await expect(attempt).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('rejects the plaintext algorithm', async () => {
    const message = await encryptedToToken('algorithm\n');
    const sessionKey = await unwrap(message);

    const attempt = decryptWithSessionKey({
      message,
      sessionKey: { algorithm: 0, data: sessionKey.data },
      verificationCertificates: [],
    });

    await expect(attempt).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM' });
  });
});
