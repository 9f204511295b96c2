// The send plan shown in the composer (and by `sealpost send --dry-run`) before sending: each
// recipient's key status and the mode that SendService will pick for the whole recipient set.
// Both call negotiate() in negotiation.ts, so what the plan shows is what is sent.

import { normalizeAddress } from './addresses.ts';
import {
  negotiate,
  type Negotiation,
  type NegotiationServices,
  type RecipientKeyStatus,
} from './negotiation.ts';
import { rejectRevokedOwnKey, rejectRevokedRecipients } from './revocation.ts';
import { PENDING_REVOCATION_REASON, pendingRevocationWarning } from './revocation-notice.ts';

/** The composer's statuses: a key that cannot be used shows as missing, with `reason`. */
export type RecipientPlanStatus = Exclude<RecipientKeyStatus, 'key-unusable'>;

export interface RecipientPlan {
  address: string;
  status: RecipientPlanStatus;
  fingerprint: string | null;
  postQuantum: boolean;
  verified: boolean;
  reason: string | null;
}

export interface SendPlan {
  mode: Negotiation['mode'];
  encryption: Negotiation['encryption'];
  postQuantum: boolean;
  reason: string;
  recipients: RecipientPlan[];
  autocrypt: Negotiation['autocrypt'];
  /** Downgrades and key changes the user should see before sending. */
  warnings: string[];
}

export async function planSend(
  services: NegotiationServices,
  input: { from: string; to: string[]; cc: string[]; bcc: string[] },
): Promise<SendPlan> {
  const recipients = [...input.to, ...input.cc, ...input.bcc].map((address) =>
    normalizeAddress(address, 'recipient'),
  );
  // A revoked own key fails the preview as it fails the send, with the same next step.
  await rejectRevokedOwnKey(services.store, input.from);
  // A revoked pinned key of a recipient fails the send with KEY_REVOKED even with
  // --allow-plaintext, so the preview fails the same way instead of showing signed plaintext.
  await rejectRevokedRecipients(
    (address) => services.store.contacts.getPinned(address),
    recipients,
  );
  // As in send, a pending revoked certificate makes the message go in OpenPGP mode.
  const revocationWarning = pendingRevocationWarning(services.store, input.from, recipients);
  // A preview never raises for a missing key: it shows the plaintext mode and why instead.
  const negotiation = await negotiate(services, {
    from: input.from,
    recipients,
    allowPlaintext: true,
    preview: true,
    forceOpenpgp: revocationWarning !== null,
    forceOpenpgpReason: PENDING_REVOCATION_REASON,
  });
  if (revocationWarning && negotiation.mode === 'openpgp') {
    negotiation.warnings.push(revocationWarning);
  }
  return {
    mode: negotiation.mode,
    encryption: negotiation.encryption,
    postQuantum: negotiation.postQuantum,
    reason: negotiation.reason,
    recipients: negotiation.recipients.map((recipient) => ({
      address: recipient.address,
      status: recipient.status === 'key-unusable' ? 'key-missing' : recipient.status,
      fingerprint: recipient.fingerprint,
      postQuantum: recipient.postQuantum,
      verified: recipient.verified,
      reason: recipient.reason,
    })),
    autocrypt: negotiation.autocrypt,
    warnings: negotiation.warnings,
  };
}
