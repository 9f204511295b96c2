// Signatures by a certificate that the sender presented (in an Autocrypt header, for example)
// but that is not pinned, because a different key is. read.ts verifies encrypted mail against
// these certificates too, so a key revocation attached to the message can be checked against
// a signed message. Users still see such a signature as "unknown-key", as before: a changed
// key is never trusted by itself, and "sealpost contacts accept-key" pins it.

import type { Store } from '@sealpost/storage';
import { readCertificate, type SignatureResult } from '@sealpost/crypto-core';

/** Returns the recorded, not pinned certificates of `from` that wait for the user's decision. */
export function changedCertificatesOf(store: Store, from: string | null): string[] {
  if (from === null) return [];
  return store.contacts
    .listCertificates(from)
    .filter((certificate) => certificate.status === 'changed')
    .map((certificate) => certificate.certificate);
}

/**
 * Reports each signature whose signer is only one of the changed certificates of `from` as
 * `unknown-key`. When the pinned key of `from` is revoked, the report names the signing
 * certificate and the command that pins it. Otherwise it reads as if that certificate had not
 * been consulted.
 */
export async function reportUnpinnedSigners(
  store: Store,
  from: string | null,
  signatures: readonly SignatureResult[],
  trustedFingerprints: () => readonly string[],
): Promise<SignatureResult[]> {
  if (from === null) return [...signatures];
  const changed = new Set(
    store.contacts
      .listCertificates(from)
      .filter((certificate) => certificate.status === 'changed')
      .map((certificate) => certificate.fingerprint.toUpperCase()),
  );
  if (changed.size === 0) return [...signatures];
  const trusted = new Set(trustedFingerprints().map((fingerprint) => fingerprint.toUpperCase()));
  const pinned = store.contacts.getPinned(from);
  const pinnedInfo = pinned ? await readCertificate(pinned.certificate).catch(() => null) : null;
  const revokedPin = pinnedInfo?.isRevoked ? pinned : null;

  return signatures.map((signature) => {
    const signer = signature.signerFingerprint?.toUpperCase() ?? null;
    if (signer === null || !changed.has(signer) || trusted.has(signer)) return signature;
    if (revokedPin && signature.status === 'valid') {
      const named = signature.signerFingerprint;
      return {
        ...signature,
        status: 'unknown-key',
        signerMatchesAddress: false,
        reason:
          `signed by ${named}, a new key of ${from} that is not pinned; ${from} revoked the ` +
          `pinned key ${revokedPin.fingerprint}. Check ${named} with the sender, then run ` +
          `"sealpost contacts accept-key ${from} ${named}"`,
      };
    }
    return {
      ...signature,
      status: 'unknown-key',
      signerFingerprint: null,
      signingKeyFingerprint: null,
      signerMatchesAddress: false,
      reason: `No verification certificate contains key ID ${signature.keyId}; obtain the signer's certificate and verify again.`,
    };
  });
}
