// Whether ratchet mode can carry a message: every recipient needs a live session with the
// sender or an unexpired prekey bundle verified by the recipient's currently pinned
// certificate. negotiation.ts calls this first, so ratchet mode is the strongest choice.

import type { Store } from '@sealpost/storage';
import { usableBundle } from './peer-bundles.ts';

export interface RatchetRecipient {
  address: string;
  /** 'key-known' is required: a changed or unusable key falls back to OpenPGP with its warning. */
  status: string;
  fingerprint: string | null;
}

export interface RatchetReadiness {
  ready: boolean;
  /** The reason for ratchet mode, in words for the user, or null when it was not chosen. */
  reason: string | null;
}

export function ratchetReadiness(
  store: Store,
  from: string,
  recipients: readonly RatchetRecipient[],
  now = new Date(),
): RatchetReadiness {
  if (recipients.length === 0) return { ready: false, reason: null };
  let sessions = 0;
  for (const recipient of recipients) {
    if (recipient.status !== 'key-known') return { ready: false, reason: null };
    const live = store.ratchetSessions
      .listForPeer(from, recipient.address)
      .some((session) => session.active);
    if (live) {
      sessions += 1;
      continue;
    }
    if (!usableBundle(store, recipient.address, recipient.fingerprint, now)) {
      return { ready: false, reason: null };
    }
  }
  const source =
    sessions === recipients.length
      ? 'a live ratchet session'
      : 'a live ratchet session or a prekey bundle signed by their pinned key';
  // The mode's own words name forward secrecy and ML-KEM-768+X25519, so the reason does not.
  return { ready: true, reason: `every recipient has ${source}` };
}
