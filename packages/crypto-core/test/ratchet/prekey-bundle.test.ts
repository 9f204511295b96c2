// The prekey bundle signed by a real OpenPGP identity: framing, signature, fingerprint and
// validity checks, and the rotation plan (docs/RATCHET.md sections 2.2 and 2.3).
import { beforeAll, describe, expect, it } from 'vitest';

import { signPrekeyBundle, verifyPrekeyBundle } from '../../src/ratchet/bundle-signature.ts';
import {
  PREKEY_BUNDLE_CONTENT_TYPE,
  decodeBundle,
  decodeSignedBundle,
  encodeSignedBundle,
} from '../../src/ratchet/bundle.ts';
import {
  DEFAULT_ROTATION_POLICY,
  generateIdentityDhKey,
  generatePrekey,
  planPrekeyRotation,
} from '../../src/ratchet/prekeys.ts';
import { makeIdentity, type TestIdentity } from '../helpers/identities.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('prekey bundle', () => {
  let alice: TestIdentity;
  let mallory: TestIdentity;
  beforeAll(async () => {
    [alice, mallory] = await Promise.all([
      makeIdentity('alice@sealpost.test'),
      makeIdentity('mallory@sealpost.test'),
    ]);
  });

  async function signedBundle(
    signer: TestIdentity,
    fingerprint = alice.fingerprint,
    now = Date.now(),
  ) {
    const identity = generateIdentityDhKey();
    const { bundleBytes, secret } = generatePrekey({
      identityPublicKey: identity.publicKey,
      fingerprint,
      now,
    });
    const signed = await signPrekeyBundle({ bundleBytes, signingKey: signer.unlocked });
    return { body: encodeSignedBundle(signed), secret, identity };
  }

  it('verifies a bundle signed by the identity and returns its keys', async () => {
    const { body, secret, identity } = await signedBundle(alice);
    expect(PREKEY_BUNDLE_CONTENT_TYPE).toBe('application/x-sealpost-prekey-bundle');
    const bundle = await verifyPrekeyBundle({ body, certificate: alice.certificate });
    expect(bundle.prekeyId).toBe(secret.prekeyId);
    expect(bundle.identityKey).toEqual(identity.publicKey);
    expect(bundle.kemPrekey).toEqual(secret.kemPrekey.publicKey);
    expect(decodeBundle(decodeSignedBundle(body).bundleBytes).expiresAt - bundle.createdAt).toBe(
      DEFAULT_ROTATION_POLICY.bundleLifetimeMs,
    );
  });

  it('rejects a bundle signed by another key', async () => {
    const { body } = await signedBundle(mallory);
    await expect(
      verifyPrekeyBundle({ body, certificate: alice.certificate }),
    ).rejects.toMatchObject({
      code: 'PREKEY_BUNDLE_INVALID',
    });
  });

  it('rejects a bundle whose bytes were changed after signing', async () => {
    const { body } = await signedBundle(alice);
    const tampered = body.slice();
    tampered[4 + 60] = (tampered[4 + 60] as number) ^ 1;
    await expect(
      verifyPrekeyBundle({ body: tampered, certificate: alice.certificate }),
    ).rejects.toMatchObject({
      code: 'PREKEY_BUNDLE_INVALID',
    });
  });

  it('rejects a bundle that names another certificate', async () => {
    const { body } = await signedBundle(alice, mallory.fingerprint);
    await expect(
      verifyPrekeyBundle({ body, certificate: alice.certificate }),
    ).rejects.toMatchObject({
      code: 'PREKEY_BUNDLE_INVALID',
    });
  });

  it('rejects an expired bundle', async () => {
    const { body } = await signedBundle(alice);
    const later = new Date(Date.now() + DEFAULT_ROTATION_POLICY.bundleLifetimeMs + DAY);
    await expect(
      verifyPrekeyBundle({ body, certificate: alice.certificate, now: later }),
    ).rejects.toMatchObject({ code: 'PREKEY_BUNDLE_EXPIRED' });
  });

  it('rejects damaged framing', () => {
    expect(() => decodeSignedBundle(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(
      expect.objectContaining({ code: 'PREKEY_BUNDLE_INVALID' }),
    );
  });
});

describe('planPrekeyRotation', () => {
  const now = Date.UTC(2026, 5, 1);
  const prekey = (prekeyId: number, ageDays: number) => ({
    prekeyId,
    createdAt: now - ageDays * DAY,
    expiresAt: now - ageDays * DAY + DEFAULT_ROTATION_POLICY.bundleLifetimeMs,
  });

  it('generates the first prekey and then one every rotation interval', () => {
    expect(planPrekeyRotation([], now)).toEqual({ generateNew: true, deletePrekeyIds: [] });
    expect(planPrekeyRotation([prekey(1, 6)], now).generateNew).toBe(false);
    expect(planPrekeyRotation([prekey(1, 7)], now).generateNew).toBe(true);
  });

  it('deletes prekey secrets only after expiry plus the grace period', () => {
    // Expiry is 14 days after creation and the grace period 30 days after that.
    const plan = planPrekeyRotation([prekey(1, 43), prekey(2, 44), prekey(3, 2)], now);
    expect(plan).toEqual({ generateNew: false, deletePrekeyIds: [2] });
  });
});
