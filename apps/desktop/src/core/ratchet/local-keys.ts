// The ratchet keys of our own identities: the X25519 identity DH key (made once per address)
// and the signed prekeys, rotated with crypto-core's planPrekeyRotation (a new prekey every
// 7 days, old secrets deleted after expiry plus 30 days). Each prekey's bundle is signed by
// the address's OpenPGP key and goes into every encrypted message (docs/RATCHET.md section 2).

import type { Store } from '@sealpost/storage';
import {
  decodeBundle,
  decodeSignedBundle,
  encodeSignedBundle,
  planPrekeyRotation,
  signPrekeyBundle,
  type RatchetClient,
  type UnlockedKey,
} from '@sealpost/crypto-core';
import type { Logger } from 'pino';
import { RatchetMailError } from './ratchet-mail-error.ts';

// crypto-core stores an identity DH key as 0x49 || secret key (32) || public key (32).
const IDENTITY_KEY_LENGTH = 65;
const IDENTITY_KEY_MAGIC = 0x49;

export class LocalRatchetKeys {
  constructor(
    private readonly store: Store,
    private readonly client: () => RatchetClient,
    private readonly log: Logger,
  ) {}

  /** Returns the stored identity DH key of `address`, generating and storing it on first use. */
  async identityKey(address: string): Promise<Uint8Array> {
    const stored = this.store.ratchetKeys.getIdentityKey(address);
    if (stored) return stored;
    const generated = await this.client().generateIdentityKey();
    this.store.ratchetKeys.insertIdentityKey(address, generated.identityKey);
    this.log.info({ address }, 'generated the ratchet identity DH key');
    return generated.identityKey;
  }

  /**
   * Rotates the prekeys of `address` when due, deletes those past their grace period, and
   * returns the newest signed bundle, the body of the prekey bundle MIME part.
   */
  async currentSignedBundle(
    address: string,
    fingerprint: string,
    signingKey: UnlockedKey,
    now = new Date(),
  ): Promise<Uint8Array> {
    const identityKey = await this.identityKey(address);
    const prekeys = this.store.ratchetKeys.listPrekeys(address);
    const plan = planPrekeyRotation(
      prekeys.map((prekey) => ({
        prekeyId: prekey.prekeyId,
        createdAt: prekey.createdAt.getTime(),
        expiresAt: prekey.expiresAt.getTime(),
      })),
      now.getTime(),
    );
    if (plan.deletePrekeyIds.length > 0) {
      this.store.ratchetKeys.deletePrekeys(address, plan.deletePrekeyIds);
      this.log.info({ address, count: plan.deletePrekeyIds.length }, 'deleted expired prekeys');
    }
    // A bundle signed by a key that was since replaced would be rejected by contacts.
    const newest = prekeys[0];
    if (
      !plan.generateNew &&
      newest &&
      bundleFingerprint(newest.signedBundle) === fingerprint.toLowerCase()
    ) {
      return newest.signedBundle;
    }

    const generated = await this.client().generatePrekey({
      identityPublicKey: identityPublicKey(identityKey),
      fingerprint,
      now: now.getTime(),
    });
    const signed = await signPrekeyBundle({
      bundleBytes: generated.bundleBytes,
      signingKey,
      date: now,
    });
    const signedBundle = encodeSignedBundle(signed);
    this.store.ratchetKeys.insertPrekey(address, {
      prekeyId: generated.prekeyId,
      secret: generated.prekeySecret,
      signedBundle,
      createdAt: new Date(generated.createdAt),
      expiresAt: new Date(generated.expiresAt),
    });
    generated.prekeySecret.fill(0);
    this.log.info({ address, prekeyId: generated.prekeyId }, 'generated a new prekey');
    return signedBundle;
  }
}

/** Returns the lowercase hex fingerprint of the OpenPGP key that a stored signed bundle names. */
function bundleFingerprint(signedBundle: Uint8Array): string {
  const { fingerprint } = decodeBundle(decodeSignedBundle(signedBundle).bundleBytes);
  return Buffer.from(fingerprint).toString('hex');
}

/** Returns the public half of a stored identity DH key. */
export function identityPublicKey(identityKey: Uint8Array): Uint8Array {
  if (identityKey.length !== IDENTITY_KEY_LENGTH || identityKey[0] !== IDENTITY_KEY_MAGIC) {
    throw new RatchetMailError(
      'RATCHET_SESSION_MISSING',
      `The stored ratchet identity DH key has ${identityKey.length} bytes, not the expected ` +
        `${IDENTITY_KEY_LENGTH}; the database is damaged. Restore it from a backup.`,
    );
  }
  return identityKey.slice(33, 65);
}
