// Carries a replaced key's revocation to contacts. After `key generate --replace-revoked`, the
// revoked certificate rides inside each encrypted message as an `application/pgp-keys` part
// (RFC 3156 section 7), until every recipient has been sent it once. GnuPG and Sealpost apply
// the revocation on import. A revocation signature is self-authenticating (RFC 9580 section
// 5.2.1.16), so any receiver may apply it.

import type { Store } from '@sealpost/storage';
import type { AttachmentInput } from '@sealpost/mail-transport';

/** A revoked own certificate and the recipients that have been sent it. */
interface RevokedCertificateRecord {
  fingerprint: string;
  /** Armored, with its key revocation signature. */
  certificate: string;
  /** Lowercased addresses. */
  deliveredTo: string[];
}

/** The parts to add to one outgoing message, and the step that records their delivery. */
export interface RevocationNotice {
  attachments: AttachmentInput[];
  /** A line for the end of the text part, naming the revoked keys and their attachments. */
  text: string;
  /** Records that the `delivered` addresses have been sent every certificate of this notice. */
  markDelivered(recipients: readonly string[]): void;
}

/** Returns the `key_settings` name of the revoked certificates that `address` sends out. */
export function revokedCertificatesSetting(address: string): string {
  return `revoked_certificates:${address}`;
}

/**
 * Stores the revoked certificate of a replaced key, so later messages from `address` carry it.
 * Call it in the transaction that replaces the key.
 */
export function recordRevokedCertificate(
  store: Store,
  address: string,
  revoked: { fingerprint: string; certificate: string },
): void {
  const records = readRecords(store, address).filter(
    (record) => record.fingerprint !== revoked.fingerprint,
  );
  records.push({
    fingerprint: revoked.fingerprint,
    certificate: revoked.certificate,
    deliveredTo: [],
  });
  store.keySettings.set(revokedCertificatesSetting(address), JSON.stringify(records));
}

/**
 * Returns the revoked certificates of `from` that at least one of `recipients` has not been sent
 * yet, as attachments named `revoked-<key ID>.asc`, or null when there are none.
 */
export function revocationNotice(
  store: Store,
  from: string,
  recipients: readonly string[],
): RevocationNotice | null {
  // NOTE: a key replaced before revoked certificates were stored here kept only its secret
  // key. Its revocation is not sent, because its revoked certificate is gone.
  const sender = from.toLowerCase();
  const others = recipients
    .map((address) => address.toLowerCase())
    .filter((address) => address !== sender);
  const pending = readRecords(store, from).filter((record) =>
    others.some((address) => !record.deliveredTo.includes(address)),
  );
  if (pending.length === 0) return null;

  const encoder = new TextEncoder();
  const attachments = pending.map((record) => ({
    filename: attachmentName(record.fingerprint),
    contentType: 'application/pgp-keys',
    content: encoder.encode(record.certificate),
  }));
  const lines = pending.map(
    (record) =>
      `The key ${record.fingerprint} of ${from} is revoked and must not be used any more. ` +
      `The attached ${attachmentName(record.fingerprint)} carries its revocation. Sealpost applies it automatically; other OpenPGP programs, such as GnuPG, can import it.`,
  );
  const fingerprints = pending.map((record) => record.fingerprint);

  return {
    attachments,
    text: `\n\n${lines.join('\n')}\n`,
    markDelivered(delivered) {
      const addresses = delivered.map((address) => address.toLowerCase());
      const records = readRecords(store, from).map((record) =>
        fingerprints.includes(record.fingerprint)
          ? { ...record, deliveredTo: [...new Set([...record.deliveredTo, ...addresses])] }
          : record,
      );
      store.keySettings.set(revokedCertificatesSetting(from), JSON.stringify(records));
    },
  };
}

/**
 * Returns the plan warning for a message that carries a revoked certificate of `from`, or null
 * when none is pending for `recipients`. Such a message is sent in OpenPGP mode even where
 * ratchet mode is ready, because ratchet-mode messages do not carry the certificate.
 */
export function pendingRevocationWarning(
  store: Store,
  from: string,
  recipients: readonly string[],
): string | null {
  if (revocationNotice(store, from, recipients) === null) return null;
  return 'this message goes in OpenPGP mode, which carries the revoked certificate of your previous key to the recipients that have not had it yet';
}

/** The reason ratchet mode is not used while pendingRevocationWarning() returns a warning. */
export const PENDING_REVOCATION_REASON =
  'this message carries the revoked certificate of your previous key, which ratchet-mode messages cannot carry';

/** Returns `revoked-<long key ID>.asc`. The key ID is the last 16 hex digits of a v4 fingerprint. */
function attachmentName(fingerprint: string): string {
  return `revoked-${fingerprint.slice(-16).toUpperCase()}.asc`;
}

function readRecords(store: Store, address: string): RevokedCertificateRecord[] {
  const stored = store.keySettings.get(revokedCertificatesSetting(address));
  return stored === null ? [] : (JSON.parse(stored) as RevokedCertificateRecord[]);
}
