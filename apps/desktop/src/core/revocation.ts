// Key revocation (RFC 9580 section 5.2.1.16, key revocation signature). An own identity is
// revoked with the revocation certificate made at key creation, or with one signed now for
// imported and restored keys. Encryption to a contact whose pinned certificate is revoked is
// rejected, and so is any send from a revoked key until `key generate --replace-revoked`. The
// revoked certificate then reaches contacts as an attachment (revocation-notice.ts).

import type { Store } from '@sealpost/storage';
import {
  applyRevocation,
  createRevocationCertificate,
  readCertificate,
} from '@sealpost/crypto-core';
import type { AuditLog } from './audit-log.ts';
import { CoreError } from './errors.ts';

/**
 * Revokes the key of `address` with its stored revocation certificate, or with one signed now by
 * the secret key (reason "no reason") when none is stored. Returns the fingerprint.
 */
export async function revokeIdentity(
  store: Store,
  passphrase: string,
  audit: AuditLog,
  address: string,
): Promise<string> {
  const identity = store.identities.getByAddress(address);
  if (!identity) {
    throw new CoreError('IDENTITY_NOT_FOUND', `There is no key for ${address} to revoke.`);
  }
  if ((await readCertificate(identity.certificate)).isRevoked) {
    throw new CoreError(
      'KEY_REVOKED',
      `The key ${identity.fingerprint} of ${address} is already revoked.`,
    );
  }

  // Imported and restored keys come without the revocation certificate made at creation.
  const stored = identity.revocationCertificate;
  const revocationCertificate =
    stored ??
    (await createRevocationCertificate(identity.secretKey, passphrase, { reason: 'no-reason' }));
  const revoked = await applyRevocation(identity.certificate, revocationCertificate);
  store.identityKeys.updateAll([{ fingerprint: identity.fingerprint, certificate: revoked }]);
  audit.record('revoke', identity.fingerprint, { signedNow: stored === null });
  return identity.fingerprint;
}

/** The pinned certificate of a contact, as `store.contacts.getPinned` returns it. */
export type PinnedCertificateLookup = (
  address: string,
) => { fingerprint: string; certificate: string } | null;

/**
 * Raises KEY_REVOKED naming every recipient whose pinned certificate is revoked, so a message
 * is never encrypted to a revoked key.
 */
export async function rejectRevokedRecipients(
  pinnedCertificate: PinnedCertificateLookup,
  recipients: readonly string[],
): Promise<void> {
  const revoked: string[] = [];
  for (const address of recipients) {
    const pinned = pinnedCertificate(address.toLowerCase());
    if (!pinned) continue;
    const info = await readCertificate(pinned.certificate).catch(() => null);
    if (info?.isRevoked) revoked.push(`${address} (key ${pinned.fingerprint})`);
  }
  if (revoked.length > 0) {
    throw new CoreError(
      'KEY_REVOKED',
      `The pinned key of ${revoked.join(', ')} was revoked by its owner, so nothing was sent. ` +
        'If "sealpost contacts" lists a changed key they sent, check it with them and pin it with "sealpost contacts accept-key ADDRESS FINGERPRINT"; ' +
        'otherwise ask them for their new key and import it with "sealpost key import FILE --replace".',
    );
  }
}

/**
 * Raises OWN_KEY_REVOKED when the key of the sending address is revoked and not yet replaced.
 * openpgp.js neither signs with a revoked key nor encrypts the Sent copy to it, so a send would
 * fail halfway. This check runs before anything is built or queued.
 */
export async function rejectRevokedOwnKey(store: Store, address: string): Promise<void> {
  const identity = store.identities.getByAddress(address);
  // A missing key is reported by the step that unlocks it.
  if (!identity) return;
  if (!(await readCertificate(identity.certificate)).isRevoked) return;
  throw new CoreError(
    'OWN_KEY_REVOKED',
    `Your key ${identity.fingerprint} of ${address} is revoked, so nothing was sent or queued. ` +
      `Make a new key with "sealpost key generate --replace-revoked --address ${address}", then send again.`,
  );
}
