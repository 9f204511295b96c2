// Extending the expiry of an own identity: new self-signatures and subkey bindings with a later
// Key Expiration Time (RFC 9580, signature subpacket type 9), made by extendCertificateExpiry.
// The extended certificate reaches contacts through the Autocrypt header of the next messages.

import type { Store } from '@sealpost/storage';
import { extendCertificateExpiry, readCertificate } from '@sealpost/crypto-core';
import type { AuditLog } from './audit-log.ts';
import { CoreError } from './errors.ts';

export const MAX_EXTEND_YEARS = 10;

export interface ExtendResult {
  address: string;
  fingerprint: string;
  expires: Date;
}

/** Adds whole calendar years to `now`, as the new expiry of a key. */
export function expiryAfterYears(now: Date, years: number): Date {
  if (!Number.isInteger(years) || years < 1 || years > MAX_EXTEND_YEARS) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The extension must be a whole number of years from 1 to ${MAX_EXTEND_YEARS}; got ${years}.`,
    );
  }
  const expires = new Date(now.getTime());
  expires.setUTCFullYear(expires.getUTCFullYear() + years);
  return expires;
}

/** Sets the expiry of the key of `address` to `years` after `now` and stores the key. */
export async function extendIdentity(
  store: Store,
  passphrase: string,
  audit: AuditLog,
  address: string,
  years: number,
  now: Date = new Date(),
): Promise<ExtendResult> {
  const expires = expiryAfterYears(now, years);
  const identity = store.identities.getByAddress(address);
  if (!identity) {
    throw new CoreError('IDENTITY_NOT_FOUND', `There is no key for ${address} to extend.`);
  }
  if ((await readCertificate(identity.certificate)).isRevoked) {
    throw new CoreError(
      'KEY_REVOKED',
      `The key ${identity.fingerprint} of ${address} is revoked; create a new key instead of extending it.`,
    );
  }

  const extended = await extendCertificateExpiry(identity.secretKey, passphrase, {
    expires,
    date: now,
  });
  store.identityKeys.updateAll([
    {
      fingerprint: identity.fingerprint,
      certificate: extended.certificate,
      secretKey: extended.secretKey,
    },
  ]);
  audit.record('expiry-extend', identity.fingerprint, { years });
  return {
    address: identity.address,
    fingerprint: identity.fingerprint,
    expires: extended.expires,
  };
}
