// Finds the contacts whose pinned certificate carries a key revocation signature (RFC 9580
// section 5.2.1.16), so contact lists can mark them. Send already rejects such recipients.

import type { Store } from '@sealpost/storage';
import { readCertificate } from '@sealpost/crypto-core';

/** Returns the addresses whose pinned certificate is revoked; an unreadable one is left out. */
export async function revokedContactAddresses(store: Store): Promise<Set<string>> {
  const revoked = new Set<string>();
  for (const contact of store.contacts.list()) {
    const pinned = store.contacts.getPinned(contact.address);
    if (!pinned) continue;
    const info = await readCertificate(pinned.certificate).catch(() => null);
    if (info?.isRevoked) revoked.add(contact.address);
  }
  return revoked;
}
