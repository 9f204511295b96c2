// Contact service: certificates of correspondents, learned from Autocrypt headers and gossip
// or imported by hand. The first key seen for an address is pinned; a different key later is
// recorded and flagged, never used silently.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import { readCertificate } from '@sealpost/crypto-core';
import { CoreError } from './errors.ts';

export interface ContactSummary {
  address: string;
  fingerprint: string | null;
  source: string;
  preferEncrypt: string | null;
  changedFingerprints: string[];
}

export interface LearnedCertificate {
  address: string;
  fingerprint: string;
  outcome: string;
}

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
    }));
  }

  /**
   * Records the key from an Autocrypt or gossip header. Only a certificate whose User ID
   * carries `address` is accepted, so a header cannot attach someone else's key to it.
   */
  async learn(input: {
    address: string;
    keydata: Uint8Array;
    source: 'autocrypt' | 'gossip';
    preferEncrypt: 'mutual' | 'nopreference' | null;
    seenAt: Date;
  }): Promise<LearnedCertificate | null> {
    let certificate;
    try {
      certificate = await readCertificate(input.keydata);
    } catch (error) {
      this.log.warn({ err: error, source: input.source }, 'ignored an unreadable key in a header');
      return null;
    }
    const address = input.address.toLowerCase();
    if (!certificate.addresses.includes(address) || !certificate.hasEncryptionSubkey) {
      this.log.warn(
        { fingerprint: certificate.fingerprint, source: input.source },
        'ignored a header key that does not fit its address',
      );
      return null;
    }

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
        { fingerprint: certificate.fingerprint },
        'a contact presented a different key; flagged, not used',
      );
    }
    return { address, fingerprint: certificate.fingerprint, outcome: recorded.outcome };
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
