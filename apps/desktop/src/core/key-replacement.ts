// Replacing a revoked own key: a new OpenPGP key takes the revoked one's place for the same
// address, and every later signature and Autocrypt header uses it. The revoked secret key is
// kept in `key_settings` (protected as before) only so that mail encrypted to it stays readable,
// and the revoked certificate is kept there so that later messages carry it to contacts.

import type { Store } from '@sealpost/storage';
import { generateIdentity, readCertificate } from '@sealpost/crypto-core';
import type { AuditLog } from './audit-log.ts';
import { CoreError } from './errors.ts';
import { recordRevokedCertificate } from './revocation-notice.ts';

/** Returns the `key_settings` name of the revoked secret keys kept for `address`. */
export function retiredKeysSetting(address: string): string {
  return `retired_secret_keys:${address}`;
}

/** Returns the armored, protected secret keys of revoked keys that `address` used before. */
export function retiredSecretKeys(store: Store, address: string): string[] {
  const stored = store.keySettings.get(retiredKeysSetting(address));
  return stored === null ? [] : (JSON.parse(stored) as string[]);
}

/**
 * Generates a new key for `address` in place of its revoked key and returns the new
 * fingerprint. Raises KEY_NOT_REVOKED while the current key is still valid.
 */
export async function replaceRevokedKey(
  store: Store,
  passphrase: string,
  audit: AuditLog,
  input: { address: string; name: string | null },
): Promise<{ address: string; fingerprint: string; replaced: string }> {
  const old = store.identities.getByAddress(input.address);
  if (!old) {
    throw new CoreError(
      'IDENTITY_NOT_FOUND',
      `There is no key for ${input.address} to replace; run "sealpost key generate" without --replace-revoked.`,
    );
  }
  if (!(await readCertificate(old.certificate)).isRevoked) {
    throw new CoreError(
      'KEY_NOT_REVOKED',
      `The key ${old.fingerprint} of ${input.address} is not revoked, so it is not replaced. Revoke it first with "sealpost key revoke --address ${input.address} --yes".`,
    );
  }

  const identity = await generateIdentity({
    address: input.address,
    name: input.name ?? undefined,
    passphrase,
  });
  const retired = [...retiredSecretKeys(store, input.address), old.secretKey];
  store.transaction(`replace revoked key of ${input.address}`, () => {
    store.keySettings.set(retiredKeysSetting(input.address), JSON.stringify(retired));
    // Later messages carry the revoked certificate to each contact once (revocation-notice.ts).
    recordRevokedCertificate(store, input.address, {
      fingerprint: old.fingerprint,
      certificate: old.certificate,
    });
    // Sessions were authenticated by the revoked key, so contacts start new ones from the new key.
    store.ratchetSessions.removeForLocal(input.address);
    store.identities.replaceKey(input.address, {
      fingerprint: identity.fingerprint,
      certificate: identity.certificate,
      secretKey: identity.secretKey,
      revocationCertificate: identity.revocationCertificate,
    });
  });
  audit.record('generate', identity.fingerprint, { replaces: old.fingerprint });
  return { address: input.address, fingerprint: identity.fingerprint, replaced: old.fingerprint };
}
