// The one negotiation rule for outgoing mail: per message and recipient set, the strongest mode
// every recipient supports (OpenPGP with ML-KEM-768+X25519 subkeys, classical OpenPGP, or
// signed plaintext after explicit consent). SendService sends with it and the composer plan
// previews it, so both always agree. Downgrades are never silent: a changed key, a recipient
// whose certificate lost its post-quantum subkey, or a weak Autocrypt recommendation each
// add a warning that the plan shows and the sent message's record keeps.

import type { Store } from '@sealpost/storage';
import { planEncryption, readCertificate } from '@sealpost/crypto-core';
import type { CertificateInfo } from '@sealpost/crypto-core';
import {
  combineRecommendations,
  recommendForPeer,
  type Recommendation,
} from '@sealpost/mail-transport';
import type { ContactService } from './contacts.ts';
import { CoreError } from './errors.ts';
import type { KeyService } from './keys.ts';
import { ratchetReadiness } from './ratchet/readiness.ts';
import { readCardBinding } from './hardware/card-binding.ts';

export type SendMode = 'ratchet' | 'openpgp' | 'signed-plaintext';
export type RecipientKeyStatus = 'key-known' | 'key-missing' | 'key-changed' | 'key-unusable';

export interface RecipientNegotiation {
  address: string;
  status: RecipientKeyStatus;
  /** Fingerprint of the pinned certificate, or null when none is pinned. */
  fingerprint: string | null;
  postQuantum: boolean;
  /** Whether the user verified the pinned fingerprint (by comparison or QR code). */
  verified: boolean;
  /** The Autocrypt Level 1 recommendation from the peer state, or null without one. */
  autocrypt: Recommendation | null;
  /** The reason the key cannot be used or is weak, or null. */
  reason: string | null;
}

export interface Negotiation {
  mode: SendMode;
  /** 'pq' or 'classical' for OpenPGP, 'pq' for ratchet mode, null for signed plaintext. */
  encryption: 'pq' | 'classical' | null;
  postQuantum: boolean;
  /** The reason for the chosen mode, in words for the user. */
  reason: string;
  /** Recipients without a usable pinned certificate. */
  missing: string[];
  recipients: RecipientNegotiation[];
  /** Combined Autocrypt recommendation for the recipients that have peer state. */
  autocrypt: Recommendation | null;
  warnings: string[];
}

export interface NegotiationServices {
  store: Store;
  contacts: ContactService;
  keys: KeyService;
}

/**
 * Chooses the mode for `recipients` (the sender is left out). Raises RECIPIENT_KEY_MISSING
 * when a recipient lacks a usable key and `allowPlaintext` is false, unless `preview` is set,
 * and RECIPIENT_KEY_UNSUPPORTED for a certificate that Sealpost cannot encrypt to correctly.
 */
export async function negotiate(
  services: NegotiationServices,
  input: {
    from: string;
    recipients: string[];
    allowPlaintext: boolean;
    preview?: boolean;
    /** Use OpenPGP mode even where ratchet mode is ready, e.g. for a peer who lost their sessions. */
    forceOpenpgp?: boolean;
    /** The reason text for `forceOpenpgp`. Without it, the reason is "OpenPGP mode was requested". */
    forceOpenpgpReason?: string;
  },
): Promise<Negotiation> {
  const from = input.from.toLowerCase();
  const others = [...new Set(input.recipients.map((address) => address.toLowerCase()))].filter(
    (address) => address !== from,
  );
  const now = new Date();
  const warnings: string[] = [];
  const recipients: RecipientNegotiation[] = [];
  const certificates: string[] = [];

  for (const address of others) {
    const recipient = await describeRecipient(services, address, now);
    recipients.push(recipient.negotiation);
    warnings.push(...recipient.warnings);
    if (recipient.certificate) certificates.push(recipient.certificate);
  }

  const unsupported = recipients.filter((recipient) => recipient.status === 'key-unusable');
  const v6 = unsupported.filter((recipient) => recipient.reason?.startsWith(V6_REASON));
  if (v6.length > 0 && !input.preview) {
    throw new CoreError(
      'RECIPIENT_KEY_UNSUPPORTED',
      `The certificate of ${v6.map((r) => r.address).join(', ')} is OpenPGP v6, which RFC 9580 ` +
        'requires to be encrypted to with PKESKv6 and SEIPDv2; Sealpost cannot produce those yet, ' +
        'so nothing was sent. Ask for a v4 certificate or send without these recipients.',
    );
  }

  const autocryptValues = recipients.flatMap((r) => (r.autocrypt ? [r.autocrypt] : []));
  const autocrypt = autocryptValues.length > 0 ? combineRecommendations(autocryptValues) : null;
  const missing = recipients
    .filter(
      (recipient) => recipient.status === 'key-missing' || recipient.status === 'key-unusable',
    )
    .map((recipient) => recipient.address);

  if (missing.length > 0) {
    if (!input.allowPlaintext && !input.preview) {
      throw new CoreError(
        'RECIPIENT_KEY_MISSING',
        `No ${unsupported.length > 0 ? 'usable ' : ''}key is known for ${missing.join(', ')}. Import their certificate with "sealpost key import FILE", ` +
          'look it up with "sealpost contacts lookup ADDRESS", ' +
          'or receive a message from them first (Sealpost learns keys from Autocrypt headers), ' +
          'or send without encryption with --allow-plaintext.',
      );
    }
    warnings.push(`the message goes unencrypted to everyone, because of ${missing.join(', ')}`);
    return {
      mode: 'signed-plaintext',
      encryption: null,
      postQuantum: false,
      reason: `no usable key is known for ${missing.join(', ')}, and sending unencrypted was allowed`,
      missing,
      recipients,
      autocrypt,
      warnings,
    };
  }

  // Ratchet mode comes first: it adds forward secrecy to the same ML-KEM-768+X25519 protection.
  const ratchet = ratchetReadiness(services.store, from, recipients, now);
  // Ratchet mode signs prekey bundles and payloads with the disk key, so a sender whose key
  // is on an OpenPGP card sends OpenPGP instead.
  const keyOnCard = readCardBinding(services.store, from) !== null;
  if (ratchet.ready && ratchet.reason !== null && !keyOnCard && input.forceOpenpgp !== true) {
    return {
      mode: 'ratchet',
      encryption: 'pq',
      postQuantum: true,
      reason: ratchet.reason,
      missing: [],
      recipients,
      autocrypt,
      warnings,
    };
  }

  const plan = await planEncryption([...certificates, services.keys.exportCertificate(from)]);
  let reason =
    plan.mode === 'pq'
      ? 'every recipient has an ML-KEM-768+X25519 (post-quantum) key'
      : `classical OpenPGP: ${plan.reason}`;
  if (ratchet.ready && keyOnCard) {
    reason += '; ratchet mode is not used because the sender key is on an OpenPGP card';
  } else if (ratchet.ready && input.forceOpenpgp === true) {
    reason += `; ratchet mode is not used because ${input.forceOpenpgpReason ?? 'OpenPGP mode was requested'}`;
  }
  return {
    mode: 'openpgp',
    encryption: plan.mode,
    postQuantum: plan.mode === 'pq',
    reason,
    missing: [],
    recipients,
    autocrypt,
    warnings,
  };
}

/** Stores the negotiation of a sent message under its Message-ID, for `read` of the Sent copy. */
export function recordNegotiation(store: Store, messageId: string, negotiation: Negotiation): void {
  store.negotiationRecords.insert({
    messageId,
    mode: negotiation.mode,
    encryption: negotiation.encryption,
    reason: negotiation.reason,
    recipients: negotiation.recipients.map(({ address, fingerprint, postQuantum }) => ({
      address,
      fingerprint: negotiation.mode !== 'signed-plaintext' ? fingerprint : null,
      postQuantum: negotiation.mode !== 'signed-plaintext' && postQuantum,
    })),
    warnings: negotiation.warnings,
    createdAt: new Date(),
  });
}

const V6_REASON = 'OpenPGP v6 certificate';

async function describeRecipient(
  services: NegotiationServices,
  address: string,
  now: Date,
): Promise<{
  negotiation: RecipientNegotiation;
  warnings: string[];
  certificate: string | null;
}> {
  const { store } = services;
  const pinned = store.contacts.getPinned(address);
  const peer = store.autocryptPeers.get(address);
  const changed = store.contacts
    .listCertificates(address)
    .filter((certificate) => certificate.status === 'changed');
  const base: RecipientNegotiation = {
    address,
    status: 'key-missing',
    fingerprint: null,
    postQuantum: false,
    verified: false,
    autocrypt: null,
    reason: null,
  };
  if (!pinned) {
    return { negotiation: { ...base, reason: 'no key is known' }, warnings: [], certificate: null };
  }

  const warnings: string[] = [];
  let info: CertificateInfo | null = null;
  let reason: string | null = null;
  try {
    info = await readCertificate(pinned.certificate, { date: now });
  } catch (error) {
    reason = `the pinned certificate cannot be read (${(error as Error).message})`;
  }
  if (info && info.version === 6) {
    reason = `${V6_REASON}: Sealpost encrypts only to v4 certificates so far`;
  } else if (info?.isRevoked) {
    reason = `the pinned certificate ${pinned.fingerprint} was revoked by its owner`;
  } else if (info && !info.hasEncryptionSubkey) {
    reason =
      'the pinned certificate has no valid encryption subkey (revoked, expired or sign-only)';
  }

  const postQuantum = info?.hasPostQuantumSubkey === true && reason === null;
  const verified = store.contactTrust.getVerification(address, pinned.fingerprint) !== null;
  const autocrypt = peer
    ? recommendForPeer(peer, {
        ownPreferEncrypt: 'mutual',
        usable: {
          publicKey: peer.publicKeyFingerprint === pinned.fingerprint && reason === null,
          gossipKey: peer.gossipKeyFingerprint === pinned.fingerprint && reason === null,
        },
      })
    : null;

  for (const certificate of changed) {
    // An unusable pinned key (revoked, v6, no encryption subkey) is never used, and its own
    // warning below gives the reason, so this warning covers only the new key.
    const pinnedUse =
      reason === null
        ? `the pinned key ${pinned.fingerprint} is used until you check the new key and run `
        : 'the new key is not used until you check it and run ';
    warnings.push(
      `${address} presented a different key ${certificate.fingerprint} (from ${certificate.source}); ` +
        `${pinnedUse}"sealpost contacts accept-key ${address} ${certificate.fingerprint}"`,
    );
  }
  // Certificates imported by hand reach the capability record here, at their first use.
  if (postQuantum) {
    store.contactTrust.recordPostQuantum({ address, fingerprint: pinned.fingerprint, seenAt: now });
  }
  const capability = store.contactTrust.getPostQuantum(address);
  if (capability && !postQuantum && reason === null) {
    warnings.push(
      `${address} had a post-quantum (ML-KEM-768+X25519) key in ${capability.fingerprint} on ` +
        `${capability.seenAt.toISOString().slice(0, 10)}, but the pinned certificate has none now, ` +
        'so this message is encrypted classically',
    );
  }
  if (autocrypt?.recommendation === 'discourage') {
    warnings.push(`Autocrypt discourages encrypting to ${address}: ${autocrypt.reason}`);
  }
  if (reason !== null) warnings.push(`the key of ${address} is not used: ${reason}`);

  let status: RecipientKeyStatus = 'key-known';
  if (changed.length > 0) status = 'key-changed';
  if (reason !== null) status = 'key-unusable';
  return {
    negotiation: {
      ...base,
      status,
      fingerprint: pinned.fingerprint,
      postQuantum,
      verified,
      autocrypt: autocrypt?.recommendation ?? null,
      reason: reason ?? autocrypt?.reason ?? null,
    },
    warnings,
    certificate: reason === null ? pinned.certificate : null,
  };
}
