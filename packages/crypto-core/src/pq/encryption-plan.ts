// The choice between post-quantum and classical public-key encryption for one recipient set.
// A message goes only to algorithm-35 subkeys when every recipient has a usable one, because
// a classical PKESK beside them would let a quantum attacker recover the session key. When
// any recipient lacks one, every recipient gets a classical PKESK instead.
import type { PublicKey } from 'openpgp';
import { parseCertificate } from '../certificate.ts';
import { optionalDate, requireArray, type OpenPgpData } from '../input.ts';
import {
  blockOf,
  describePostQuantumSubkeys,
  newestUsable,
  readKeyBlockPackets,
  type PostQuantumSubkey,
} from './pq-certificate.ts';
import type { KeyBlockPackets } from './subkey-packets.ts';

export type EncryptionMode = 'pq' | 'classical';

export interface RecipientPlan {
  /** Primary key fingerprint of the recipient certificate. */
  fingerprint: string;
  pq: boolean;
  /** The algorithm-35 subkey that would be used, or null. */
  postQuantumSubkeyFingerprint: string | null;
  /** The reason the recipient has no usable algorithm-35 subkey, or null when it has one. */
  reason: string | null;
}

export interface EncryptionPlan {
  mode: EncryptionMode;
  reason: string;
  perRecipient: RecipientPlan[];
}

/** A recipient certificate with the algorithm-35 subkey chosen for it, if any. */
export interface PlannedRecipient {
  certificate: PublicKey;
  postQuantumSubkey: PostQuantumSubkey | null;
  reason: string | null;
}

/**
 * Returns the mode in which a message to these certificates would be encrypted now: 'pq'
 * when every certificate has a usable ML-KEM-768+X25519 subkey, otherwise 'classical'.
 */
export async function planEncryption(
  recipientCertificates: OpenPgpData[],
  options: { date?: Date } = {},
): Promise<EncryptionPlan> {
  const list = requireArray(recipientCertificates, 'recipientCertificates') as OpenPgpData[];
  const date = optionalDate(options.date, 'date');
  const recipients: PlannedRecipient[] = [];
  const seen = new Set<string>();
  for (const [index, data] of list.entries()) {
    const label = `recipientCertificates[${index}]`;
    const certificate = await parseCertificate(data, label);
    if (seen.has(certificate.getFingerprint())) continue;
    seen.add(certificate.getFingerprint());
    recipients.push(await planRecipient(certificate, await readKeyBlockPackets(data, label), date));
  }
  return planFor(recipients);
}

/** Chooses the newest usable algorithm-35 subkey of one certificate. */
export async function planRecipient(
  certificate: PublicKey,
  blocks: readonly KeyBlockPackets[],
  date: Date,
): Promise<PlannedRecipient> {
  const subkeys = await describePostQuantumSubkeys(certificate, blockOf(certificate, blocks), date);
  const chosen = newestUsable(subkeys);
  if (chosen) return { certificate, postQuantumSubkey: chosen, reason: null };

  const reason =
    subkeys.length === 0
      ? 'the certificate has no ML-KEM-768+X25519 subkey'
      : subkeys
          .map((subkey) => `subkey ${subkey.fingerprint}: ${subkey.reason ?? 'unusable'}`)
          .join('; ');
  return { certificate, postQuantumSubkey: null, reason };
}

export function planFor(recipients: readonly PlannedRecipient[]): EncryptionPlan {
  const perRecipient = recipients.map(({ certificate, postQuantumSubkey, reason }) => ({
    fingerprint: certificate.getFingerprint(),
    pq: postQuantumSubkey !== null,
    postQuantumSubkeyFingerprint: postQuantumSubkey?.fingerprint ?? null,
    reason,
  }));
  if (perRecipient.length === 0) {
    return { mode: 'classical', reason: 'there are no recipients', perRecipient };
  }
  const classical = perRecipient.filter((recipient) => !recipient.pq);
  if (classical.length === 0) {
    return {
      mode: 'pq',
      reason: 'every recipient has a usable ML-KEM-768+X25519 subkey',
      perRecipient,
    };
  }
  return {
    mode: 'classical',
    reason: `${classical.length} of ${perRecipient.length} recipients have no usable ML-KEM-768+X25519 subkey (${classical
      .map((recipient) => recipient.fingerprint)
      .join(', ')}), so every recipient gets a classical session key packet`,
    perRecipient,
  };
}
