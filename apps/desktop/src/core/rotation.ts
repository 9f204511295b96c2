// Scheduled rotation of the encryption subkeys of own identities. The interval (default 365
// days) and each identity's last rotation live in the `key_settings` table. Rotation binds new
// subkeys and keeps the old secret subkeys, so mail encrypted to them stays readable.

import type { Store } from '@sealpost/storage';
import { readCertificate, rotateEncryptionSubkeys } from '@sealpost/crypto-core';
import type { AuditLog } from './audit-log.ts';
import { CoreError } from './errors.ts';

export const DEFAULT_ROTATION_DAYS = 365;
const INTERVAL_SETTING = 'subkey_rotation_days';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RotationResult {
  address: string;
  fingerprint: string;
  /** Fingerprints of the new subkeys, the Curve25519 one first. */
  subkeyFingerprints: string[];
}

/** Returns the `key_settings` name of the last rotation time (ms since 1970) of `fingerprint`. */
export function rotatedAtSetting(fingerprint: string): string {
  return `subkeys_rotated_at:${fingerprint}`;
}

/** Returns the rotation interval in days from `key_settings`, or the default. */
export function rotationIntervalDays(store: Store): number {
  const stored = store.keySettings.get(INTERVAL_SETTING);
  return stored === null ? DEFAULT_ROTATION_DAYS : Number(stored);
}

/** Stores the rotation interval, a whole number of days from 1 to 3650. */
export function setRotationIntervalDays(store: Store, days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The rotation interval must be a whole number of days from 1 to 3650; got ${days}.`,
    );
  }
  store.keySettings.set(INTERVAL_SETTING, String(days));
}

/**
 * Lists the identities whose last rotation (or creation) is at least one interval before `now`.
 * Revoked identities are listed too, and `rotateDueIdentities` skips them.
 */
export function identitiesDueForRotation(store: Store, now: Date): string[] {
  const intervalMs = rotationIntervalDays(store) * DAY_MS;
  return store.identities
    .list()
    .filter((identity) => {
      const stored = store.keySettings.get(rotatedAtSetting(identity.fingerprint));
      const last = stored === null ? identity.createdAt.getTime() : Number(stored);
      return now.getTime() - last >= intervalMs;
    })
    .map((identity) => identity.address);
}

/**
 * Binds new encryption subkeys to the identity of `address`: Curve25519 always, and a new
 * algorithm-35 subkey when the certificate already has one. Stores the key and the time.
 */
export async function rotateIdentity(
  store: Store,
  passphrase: string,
  audit: AuditLog,
  address: string,
  now: Date = new Date(),
): Promise<RotationResult> {
  const identity = store.identities.getByAddress(address);
  if (!identity) {
    throw new CoreError('IDENTITY_NOT_FOUND', `There is no key for ${address} to rotate.`);
  }
  const certificate = await readCertificate(identity.certificate);
  if (certificate.isRevoked) {
    throw new CoreError(
      'KEY_REVOKED',
      `The key ${identity.fingerprint} of ${address} is revoked; create a new key instead of rotating it.`,
    );
  }

  const rotated = await rotateEncryptionSubkeys(identity.secretKey, passphrase, {
    postQuantum: certificate.postQuantumSubkeys.length > 0,
    date: now,
  });
  store.transaction(`rotate subkeys of ${identity.fingerprint}`, () => {
    store.identityKeys.updateAll([
      {
        fingerprint: identity.fingerprint,
        certificate: rotated.certificate,
        secretKey: rotated.secretKey,
      },
    ]);
    store.keySettings.set(rotatedAtSetting(identity.fingerprint), String(now.getTime()));
  });
  audit.record('subkey-rotate', identity.fingerprint, {
    subkeys: rotated.subkeyFingerprints.length,
  });
  return {
    address: identity.address,
    fingerprint: identity.fingerprint,
    subkeyFingerprints: rotated.subkeyFingerprints,
  };
}

/** Rotates every identity that is due at `now` and not revoked, and returns the results. */
export async function rotateDueIdentities(
  store: Store,
  passphrase: string,
  audit: AuditLog,
  now: Date,
): Promise<RotationResult[]> {
  const results: RotationResult[] = [];
  for (const address of identitiesDueForRotation(store, now)) {
    const identity = store.identities.getByAddress(address);
    if (!identity || (await readCertificate(identity.certificate)).isRevoked) continue;
    results.push(await rotateIdentity(store, passphrase, audit, address, now));
  }
  return results;
}

/**
 * Limits the rotation check that send runs before each message to once a day per process, so
 * the key store is not read for every message. The first check of a run always happens.
 */
export class DueRotationCheck {
  #checkedAt: number | null = null;

  /** Returns true and records `now` when no check ran in the day before `now`. */
  claim(now: Date): boolean {
    if (this.#checkedAt !== null && Math.abs(now.getTime() - this.#checkedAt) < DAY_MS) {
      return false;
    }
    this.#checkedAt = now.getTime();
    return true;
  }
}
