// Mail addresses in OpenPGP User IDs. A User ID is conventionally an RFC 5322 name-addr
// ("Name <local@domain>") or a bare addr-spec; openpgp.js parses out its email part. Addresses
// are compared case-insensitively as a whole, which is how mail clients match senders even
// though RFC 5321 allows a case-sensitive local part.
import type { PublicKey } from 'openpgp';
import { openpgpFullConfig } from './config.ts';
import { CryptoError } from './errors.ts';

// A deliberately plain addr-spec check: one "@", no whitespace or angle brackets.
const addrSpec = /^[^\s@<>]+@[^\s@<>]+$/;

/** Validates an addr-spec such as "alice@example.org" and returns it trimmed. */
export function requireAddress(value: unknown, label: string): string {
  if (typeof value !== 'string' || !addrSpec.test(value.trim())) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `${label} must be a bare mail address such as alice@example.org, got ${JSON.stringify(value)}.`,
    );
  }
  return value.trim();
}

export function addressesEqual(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Returns the email parts of the certificate's User IDs, in certificate order. */
export function emailsOf(certificate: PublicKey): string[] {
  const emails: string[] = [];
  for (const user of certificate.users) {
    const email = user.userID?.email;
    if (email && !emails.some((known) => addressesEqual(known, email))) emails.push(email);
  }
  return emails;
}

/**
 * Checks whether the certificate has a User ID for the address whose self-certification is
 * valid at the date, so a revoked or forged User ID does not count.
 */
export async function certificateHasAddress(
  certificate: PublicKey,
  address: string,
  date: Date,
): Promise<boolean> {
  for (const user of certificate.users) {
    const email = user.userID?.email;
    if (!email || !addressesEqual(email, address)) continue;
    try {
      await user.verify(date, openpgpFullConfig);
      return true;
    } catch {
      // This User ID has no valid self-certification at the date; try the next one.
    }
  }
  return false;
}
