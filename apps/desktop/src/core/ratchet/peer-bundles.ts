// Prekey bundles of contacts. A bundle is learned only from the decrypted payload of a message
// whose whole content carries a valid signature by the sender's pinned certificate, and only
// when the bundle's own signature verifies against that same certificate. A stored bundle is
// usable while it has not expired and the contact's pinned certificate is still the one that
// verified it.

import type { PeerBundle, Store } from '@sealpost/storage';
import {
  PREKEY_BUNDLE_CONTENT_TYPE,
  verifyPrekeyBundle,
  type PrekeyBundle,
  type SignatureResult,
} from '@sealpost/crypto-core';
import type { ParsedAttachment } from '@sealpost/mail-transport';
import type { Logger } from 'pino';

/** Builds the prekey bundle part as an attachment of the inner entity. */
export function bundleAttachment(signedBundle: Uint8Array) {
  return {
    filename: 'prekey-bundle.bin',
    contentType: PREKEY_BUNDLE_CONTENT_TYPE,
    content: signedBundle,
  };
}

export function isBundlePart(attachment: Pick<ParsedAttachment, 'contentType'>): boolean {
  return attachment.contentType.toLowerCase() === PREKEY_BUNDLE_CONTENT_TYPE;
}

/**
 * Verifies the bundle parts among `attachments` against the pinned certificate of `from` and
 * stores the newest valid one. Does nothing unless one of `signatures` is valid, made by that
 * pinned certificate and matches the From address. Returns the verified bundles.
 */
export async function learnBundles(
  store: Store,
  log: Logger,
  input: {
    from: string | null;
    attachments: readonly ParsedAttachment[];
    signatures: readonly SignatureResult[];
    now?: Date;
  },
): Promise<PrekeyBundle[]> {
  const parts = input.attachments.filter(isBundlePart);
  if (parts.length === 0 || input.from === null) return [];
  const pinned = store.contacts.getPinned(input.from);
  if (!pinned) return [];
  const signedByPinned = input.signatures.some(
    (signature) =>
      signature.status === 'valid' &&
      signature.signerMatchesAddress &&
      signature.signerFingerprint === pinned.fingerprint,
  );
  if (!signedByPinned) {
    log.warn(
      { from: input.from },
      'ignored a prekey bundle in a message not signed by the pinned key',
    );
    return [];
  }

  const now = input.now ?? new Date();
  const verified: PrekeyBundle[] = [];
  for (const part of parts) {
    try {
      const bundle = await verifyPrekeyBundle({
        body: part.content,
        certificate: pinned.certificate,
        now,
      });
      verified.push(bundle);
      store.ratchetPeerBundles.put({
        address: input.from,
        fingerprint: pinned.fingerprint,
        signedBundle: part.content,
        identityKey: bundle.identityKey,
        prekeyId: bundle.prekeyId,
        createdAt: new Date(bundle.createdAt),
        expiresAt: new Date(bundle.expiresAt),
        receivedAt: now,
      });
    } catch (error) {
      log.warn({ err: error, from: input.from }, 'ignored an invalid prekey bundle');
    }
  }
  return verified;
}

/** Returns the stored bundle of `address` if it is unexpired and verified by `pinnedFingerprint`. */
export function usableBundle(
  store: Store,
  address: string,
  pinnedFingerprint: string | null,
  now: Date,
): PeerBundle | null {
  const bundle = store.ratchetPeerBundles.get(address);
  if (!bundle || pinnedFingerprint === null) return null;
  if (bundle.fingerprint !== pinnedFingerprint) return null;
  if (now.getTime() < bundle.createdAt.getTime() || now.getTime() >= bundle.expiresAt.getTime()) {
    return null;
  }
  return bundle;
}
