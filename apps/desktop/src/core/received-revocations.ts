// Applies key revocations that arrive as `application/pgp-keys` parts (RFC 3156 section 7) of a
// signed, decrypted message. Only a key revocation signature (RFC 9580 section 5.2.1.16) that
// verifies against the primary key of a certificate already stored for the sender is merged
// into that stored certificate. Other keys, User IDs and subkeys in the part are never taken.
// The stored message is not changed, and the part stays a normal attachment.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import {
  applyRevocation,
  certificateToBinary,
  readCertificate,
  readCertificates,
  revocationCertificatesOf,
} from '@sealpost/crypto-core';
import type { CertificateInfo, SignatureResult } from '@sealpost/crypto-core';
import type { ParsedAttachment } from '@sealpost/mail-transport';

/** The media type of OpenPGP keys in MIME (RFC 3156 section 7). */
const PGP_KEYS_MEDIA_TYPE = 'application/pgp-keys';

/**
 * Merges each verified key revocation of the sender's stored certificates found in the
 * `application/pgp-keys` parts of a message, and returns the fingerprints it revoked. It does
 * nothing unless `signatures` contains a valid signature by a certificate with the From address,
 * covering the whole message: the caller passes only such signatures.
 */
export async function applyReceivedRevocations(
  store: Store,
  log: Logger,
  input: {
    from: string | null;
    attachments: readonly ParsedAttachment[];
    signatures: readonly SignatureResult[];
  },
): Promise<string[]> {
  const { from } = input;
  if (from === null) return [];
  if (!input.signatures.some((s) => s.status === 'valid' && s.signerMatchesAddress)) return [];

  const revoked: string[] = [];
  for (const attachment of input.attachments) {
    if (mediaTypeOf(attachment.contentType) !== PGP_KEYS_MEDIA_TYPE) continue;
    // A part that is no certificate stays an attachment and changes no key.
    const certificates = await readCertificates(attachment.content).catch(() => []);
    for (const certificate of certificates) {
      if (await revokeStoredCertificates(store, from, certificate)) {
        revoked.push(certificate.fingerprint);
        log.warn(
          { fingerprint: certificate.fingerprint },
          'a contact revoked its key in an attached certificate',
        );
      }
    }
  }
  if (revoked.length > 0) {
    // Sessions and the prekey bundle of a revoked key are no longer authenticated, so the next
    // message goes in OpenPGP mode and a new session starts from the sender's new key.
    const sessions = store.ratchetSessions.removeWithPeer(from);
    store.ratchetPeerBundles.remove(from);
    log.info({ sessions }, 'ended the ratchet sessions of a contact that revoked its key');
  }
  return revoked;
}

/**
 * Merges the first revocation signature of `received` that verifies against the stored
 * certificate of `from` with the same fingerprint: the contact certificates (pinned, changed or
 * replaced) and the Autocrypt and gossip keys of the peer state. Returns whether one was merged.
 */
async function revokeStoredCertificates(
  store: Store,
  from: string,
  received: CertificateInfo,
): Promise<boolean> {
  const fingerprint = received.fingerprint.toUpperCase();
  const revocations = await revocationCertificatesOf(received.armored);
  if (revocations.length === 0) return false;
  let merged = false;

  for (const stored of store.contacts.listCertificates(from)) {
    if (stored.fingerprint.toUpperCase() !== fingerprint) continue;
    const revokedCertificate = await mergeRevocation(stored.certificate, revocations);
    if (revokedCertificate === null) continue;
    store.contacts.recordCertificate({
      address: from,
      fingerprint: stored.fingerprint,
      certificate: revokedCertificate,
      source: stored.source,
      preferEncrypt: stored.preferEncrypt,
      seenAt: new Date(),
    });
    merged = true;
  }

  const peer = store.autocryptPeers.get(from);
  if (peer) {
    const publicKey = await revokedKeydata(peer.publicKey, peer.publicKeyFingerprint);
    const gossipKey = await revokedKeydata(peer.gossipKey, peer.gossipKeyFingerprint);
    if (publicKey !== null || gossipKey !== null) {
      store.autocryptPeers.save({
        ...peer,
        publicKey: publicKey ?? peer.publicKey,
        gossipKey: gossipKey ?? peer.gossipKey,
      });
      merged = true;
    }
  }
  return merged;

  async function revokedKeydata(
    keydata: Uint8Array | null,
    keyFingerprint: string | null,
  ): Promise<Uint8Array | null> {
    if (keydata === null || keyFingerprint?.toUpperCase() !== fingerprint) return null;
    const revokedCertificate = await mergeRevocation(keydata, revocations);
    return revokedCertificate === null ? null : certificateToBinary(revokedCertificate);
  }
}

/**
 * Returns `stored` with the first of `revocations` that verifies against its primary key, or
 * null when it is revoked already or none verifies. applyRevocation checks the issuer and the
 * signature, so a revocation made by another key is rejected there.
 */
async function mergeRevocation(
  stored: string | Uint8Array,
  revocations: readonly string[],
): Promise<string | null> {
  const current = await readCertificate(stored).catch(() => null);
  if (current === null || current.isRevoked) return null;
  for (const revocation of revocations) {
    const revoked = await applyRevocation(current.armored, revocation).catch(() => null);
    if (revoked !== null && (await readCertificate(revoked)).isRevoked) return revoked;
  }
  return null;
}

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
