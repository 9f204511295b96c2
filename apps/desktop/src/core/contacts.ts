// Contact service: certificates of correspondents, learned from Autocrypt headers and gossip,
// found by WKD or VKS lookups, or imported by hand. The first key seen for an address is
// pinned; a different key later is recorded and flagged, never used silently. It also keeps
// the Autocrypt Level 1 peer state (section 2.3) and reports a certificate that lost its
// post-quantum subkey as a downgrade.

import type { Logger } from 'pino';
import type { Store, VerificationMethod } from '@sealpost/storage';
import { readCertificate } from '@sealpost/crypto-core';
import type { CertificateInfo } from '@sealpost/crypto-core';
import { updatePeerGossip, updatePeerState } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';

export interface ContactSummary {
  address: string;
  fingerprint: string | null;
  source: string;
  preferEncrypt: string | null;
  changedFingerprints: string[];
  /** How the user verified the pinned fingerprint, or null when it is not verified. */
  verifiedBy: VerificationMethod | null;
}

export interface LearnedCertificate {
  address: string;
  fingerprint: string;
  outcome: string;
  /** Downgrades to tell the user about, e.g. a certificate without its post-quantum subkey. */
  warnings: string[];
}

export type CertificateOrigin = 'autocrypt' | 'gossip' | 'wkd' | 'vks';

export class ContactService {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  list(): ContactSummary[] {
    return this.store.contacts.list().map((contact) => ({
      address: contact.address,
      fingerprint: contact.pinned?.fingerprint ?? null,
      source: contact.pinned?.source ?? 'none',
      preferEncrypt: contact.pinned?.preferEncrypt ?? null,
      changedFingerprints: contact.changedFingerprints,
      verifiedBy: contact.pinned
        ? (this.store.contactTrust.getVerification(contact.address, contact.pinned.fingerprint)
            ?.method ?? null)
        : null,
    }));
  }

  /**
   * Records a certificate from a header or a lookup. Only a certificate whose User ID carries
   * `address` is accepted, so neither a header nor a key server can attach someone else's
   * key to it.
   */
  async learn(input: {
    address: string;
    keydata: Uint8Array;
    source: CertificateOrigin;
    preferEncrypt: 'mutual' | 'nopreference' | null;
    seenAt: Date;
  }): Promise<LearnedCertificate | null> {
    let certificate: CertificateInfo;
    try {
      certificate = await readCertificate(input.keydata);
    } catch (error) {
      this.log.warn({ err: error, source: input.source }, 'ignored an unreadable key');
      return null;
    }
    const address = input.address.toLowerCase();
    const revokesPinned =
      certificate.isRevoked &&
      certificate.addresses.includes(address) &&
      this.store.contacts.getPinned(address)?.fingerprint.toLowerCase() ===
        certificate.fingerprint.toLowerCase();
    if (revokesPinned) {
      // The revoked certificate replaces the pinned one, so nothing is encrypted to it again.
      const recorded = this.store.contacts.recordCertificate({
        address,
        fingerprint: certificate.fingerprint,
        certificate: certificate.armored,
        source: input.source,
        preferEncrypt: input.preferEncrypt,
        seenAt: input.seenAt,
      });
      this.log.warn(
        { fingerprint: certificate.fingerprint, source: input.source },
        'a contact revoked its key',
      );
      return {
        address,
        fingerprint: certificate.fingerprint,
        outcome: recorded.outcome,
        warnings: [`${address} revoked the key ${certificate.fingerprint}; wait for their new key`],
      };
    }
    if (!certificate.addresses.includes(address) || !certificate.hasEncryptionSubkey) {
      this.log.warn(
        { fingerprint: certificate.fingerprint, source: input.source },
        'ignored a key that does not fit its address or cannot encrypt',
      );
      return null;
    }

    const previousCapability = this.store.contactTrust.getPostQuantum(address);
    const recorded = this.store.contacts.recordCertificate({
      address,
      fingerprint: certificate.fingerprint,
      certificate: certificate.armored,
      source: input.source,
      preferEncrypt: input.preferEncrypt,
      seenAt: input.seenAt,
    });
    if (recorded.outcome === 'changed-flagged') {
      this.log.warn(
        { fingerprint: certificate.fingerprint, source: input.source },
        'a contact presented a different key; flagged, not used',
      );
    }

    const warnings: string[] = [];
    if (certificate.hasPostQuantumSubkey) {
      this.store.contactTrust.recordPostQuantum({
        address,
        fingerprint: certificate.fingerprint,
        seenAt: input.seenAt,
      });
    } else if (previousCapability && input.seenAt >= previousCapability.seenAt) {
      warnings.push(
        `WARNING: the certificate ${certificate.fingerprint} of ${address} has no post-quantum ` +
          `(ML-KEM-768+X25519) subkey, which ${previousCapability.fingerprint} had; ` +
          'messages to this address are encrypted classically while it is pinned',
      );
    }
    return {
      address,
      fingerprint: certificate.fingerprint,
      outcome: recorded.outcome,
      warnings,
    };
  }

  /**
   * Updates the Autocrypt peer state of `address` with one message from it (Level 1 section
   * 2.3), with or without a valid Autocrypt header.
   */
  async observeMessage(input: {
    address: string;
    effectiveDate: Date;
    header: { keydata: Uint8Array; preferEncrypt: 'mutual' | 'nopreference' } | null;
  }): Promise<void> {
    const address = input.address.toLowerCase();
    const current = this.store.autocryptPeers.get(address);
    const next = updatePeerState(current, {
      effectiveDate: input.effectiveDate,
      header: input.header,
    });
    if (!next) return;
    const publicKeyFingerprint =
      next.publicKey === current?.publicKey
        ? (current?.publicKeyFingerprint ?? null)
        : await fingerprintOf(next.publicKey);
    if (next.publicKey !== null && publicKeyFingerprint === null) return;
    this.store.autocryptPeers.save({
      ...next,
      address,
      publicKeyFingerprint,
      gossipKeyFingerprint: current?.gossipKeyFingerprint ?? null,
    });
  }

  /** Updates the gossip part of the peer state of `address` (Level 1 section 2.4). */
  async observeGossip(input: {
    address: string;
    effectiveDate: Date;
    keydata: Uint8Array;
  }): Promise<void> {
    const address = input.address.toLowerCase();
    const current = this.store.autocryptPeers.get(address);
    const next = updatePeerGossip(current, {
      effectiveDate: input.effectiveDate,
      keydata: input.keydata,
    });
    const gossipKeyFingerprint = await fingerprintOf(input.keydata);
    if (!next || gossipKeyFingerprint === null) return;
    this.store.autocryptPeers.save({
      ...next,
      address,
      publicKeyFingerprint: current?.publicKeyFingerprint ?? null,
      gossipKeyFingerprint,
    });
  }

  /** Returns the pinned certificate of every address, or raises RECIPIENT_KEY_MISSING naming those without one. */
  certificatesFor(addresses: string[]): string[] {
    const missing: string[] = [];
    const certificates: string[] = [];
    for (const address of addresses) {
      const pinned = this.store.contacts.getPinned(address);
      if (pinned) certificates.push(pinned.certificate);
      else missing.push(address);
    }
    if (missing.length > 0) {
      throw new CoreError(
        'RECIPIENT_KEY_MISSING',
        `No key is known for ${missing.join(', ')}. Import their certificate with "sealpost key import FILE", ` +
          'or receive a message from them first (Sealpost learns keys from Autocrypt headers), ' +
          'or send without encryption with --allow-plaintext.',
      );
    }
    return certificates;
  }

  /** Returns every address without a pinned certificate. */
  missingCertificates(addresses: string[]): string[] {
    return addresses.filter((address) => !this.store.contacts.getPinned(address));
  }

  /** Returns the pinned certificates of all contacts, for signature verification. */
  allPinnedCertificates(): string[] {
    return this.store.contacts
      .list()
      .flatMap((contact) => (contact.pinned ? [contact.pinned.certificate] : []));
  }
}

async function fingerprintOf(keydata: Uint8Array | null): Promise<string | null> {
  if (keydata === null) return null;
  try {
    return (await readCertificate(keydata)).fingerprint;
  } catch {
    // Unreadable keydata is not stored as peer state: it could never be used.
    return null;
  }
}
