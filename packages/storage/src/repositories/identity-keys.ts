// IdentityKeyRepository: updates of the key material of existing identities, for subkey
// rotation, expiry changes, revocation and re-protection under a new key-encryption key.
// The fingerprint of an identity never changes; a new primary key is a new identity.

import type { Connection } from '../connection.ts';
import { StorageError } from '../errors.ts';
import { normalizeFingerprint, requireArmored } from '../validate.ts';
import { PRIVATE_KEY_HEADER, PUBLIC_KEY_HEADER } from './identities.ts';

export interface IdentityKeyUpdate {
  fingerprint: string;
  /** Armored public certificate; unchanged when omitted. */
  certificate?: string;
  /** Armored protected secret key; unchanged when omitted. */
  secretKey?: string;
}

export class IdentityKeyRepository {
  constructor(private readonly connection: Connection) {}

  /** Updates several identities in one transaction: all rows change or none does. */
  updateAll(updates: readonly IdentityKeyUpdate[]): void {
    const checked = updates.map((update, index) => ({
      fingerprint: normalizeFingerprint(update.fingerprint, `updates[${index}].fingerprint`),
      certificate:
        update.certificate === undefined
          ? null
          : requireArmored(
              update.certificate,
              [PUBLIC_KEY_HEADER],
              `updates[${index}].certificate`,
            ),
      secretKey:
        update.secretKey === undefined
          ? null
          : requireArmored(update.secretKey, [PRIVATE_KEY_HEADER], `updates[${index}].secretKey`),
    }));

    this.connection.write(`update key material of ${checked.length} identities`, (db) => {
      const statement = db.prepare(
        `UPDATE identities
         SET certificate = coalesce(?, certificate), secret_key = coalesce(?, secret_key)
         WHERE fingerprint = ?`,
      );
      for (const update of checked) {
        const result = statement.run(update.certificate, update.secretKey, update.fingerprint);
        if (result.changes !== 1) {
          throw new StorageError(
            'INVALID_ARGUMENT',
            `No identity has the fingerprint ${update.fingerprint}; nothing was updated.`,
          );
        }
      }
    });
  }
}
