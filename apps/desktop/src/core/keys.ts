// Key service: the user's own identities (one OpenPGP key per address, protected by a
// passphrase derived from the keystore's key-encryption key) and imports of certificates and
// secret keys (key-import.ts). Every operation on an own key goes to the audit log.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import {
  exportUnprotectedSecretKey,
  generateIdentity,
  protectSecretKey,
  readCertificate,
  unlockSecretKey,
} from '@sealpost/crypto-core';
import type { UnlockedKey } from '@sealpost/crypto-core';
import { normalizeAddress } from './addresses.ts';
import type { AuditLog } from './audit-log.ts';
import { CoreError, errorCode } from './errors.ts';
import { createBackup, restoreBackup } from './backup.ts';
import type { CreatedBackup, RestoredIdentity, RestoreOptions } from './backup.ts';
import {
  DueRotationCheck,
  rotateDueIdentities,
  rotateIdentity,
  rotationIntervalDays,
  setRotationIntervalDays,
} from './rotation.ts';
import type { RotationResult } from './rotation.ts';
import { revokeIdentity } from './revocation.ts';
import { replaceRevokedKey, retiredSecretKeys } from './key-replacement.ts';
import { extendIdentity } from './expiry.ts';
import type { ExtendResult } from './expiry.ts';
import { readCardBinding } from './hardware/card-binding.ts';

export interface IdentitySummary {
  address: string;
  fingerprint: string;
}

import { importKeys } from './key-import.ts';
import type { ImportResult } from './key-import.ts';

export type { ImportResult } from './key-import.ts';

export class KeyService {
  readonly #dueRotation = new DueRotationCheck();

  constructor(
    private readonly store: Store,
    private readonly passphrase: () => string,
    private readonly log: Logger,
    private readonly audit: AuditLog,
  ) {}

  hasIdentity(address: string): boolean {
    return this.store.identities.getByAddress(address.toLowerCase()) !== null;
  }

  async generate(input: { address: string; name: string | null }): Promise<IdentitySummary> {
    const address = normalizeAddress(input.address, '--address');
    const present = this.store.identities.getByAddress(address);
    if (present) {
      const revoked = (await readCertificate(present.certificate)).isRevoked;
      throw new CoreError(
        'INVALID_ARGUMENT',
        revoked
          ? `The key of ${address} is revoked; make a new one with "sealpost key generate --address ${address} --replace-revoked".`
          : `${address} already has a key; export it with "sealpost key export".`,
      );
    }

    const identity = await generateIdentity({
      address,
      name: input.name ?? undefined,
      passphrase: this.passphrase(),
    });
    this.store.identities.insert({
      address,
      fingerprint: identity.fingerprint,
      certificate: identity.certificate,
      secretKey: identity.secretKey,
      revocationCertificate: identity.revocationCertificate,
      accountId: this.store.accounts.getByEmail(address)?.id ?? null,
    });
    this.log.info({ fingerprint: identity.fingerprint }, 'identity generated');
    this.audit.record('generate', identity.fingerprint);
    return { address, fingerprint: identity.fingerprint };
  }

  /** Generates a new key for `address` in place of its revoked one (see key-replacement.ts). */
  async replaceRevoked(input: { address: string; name: string | null }) {
    const address = normalizeAddress(input.address, '--address');
    const replaced = await replaceRevokedKey(this.store, this.passphrase(), this.audit, {
      address,
      name: input.name,
    });
    this.log.info(replaced, 'revoked identity key replaced');
    return replaced;
  }

  list(): IdentitySummary[] {
    return this.store.identities
      .list()
      .map(({ address, fingerprint }) => ({ address, fingerprint }));
  }

  exportCertificate(address: string): string {
    return this.#identity(address).certificate;
  }

  exportSecretKey(address: string): string {
    const identity = this.#identity(address);
    this.audit.record('export', identity.fingerprint, { part: 'secret-key' });
    return identity.secretKey;
  }

  /**
   * Returns the secret key of `address` re-protected with `passphrase`, so GnuPG and other
   * OpenPGP tools can unlock it. The stored copy is protected with a key derived from the
   * keystore, which is never shown to the user. The secret material is never written unprotected.
   */
  async exportSecretKeyWithPassphrase(address: string, passphrase: string): Promise<string> {
    const identity = this.#identity(address);
    if (readCardBinding(this.store, identity.address)?.diskCopy === false) {
      throw new CoreError(
        'KEY_NOT_FOUND',
        `The secret key of ${identity.address} is only on its OpenPGP card, so there is nothing to export; export the certificate without --secret.`,
      );
    }
    const exported = await protectSecretKey(identity.secretKey, passphrase, this.passphrase());
    this.audit.record('export', identity.fingerprint, { part: 'secret-key' });
    return exported;
  }

  exportRevocationCertificate(address: string): string {
    const revocation = this.#identity(address).revocationCertificate;
    if (!revocation) {
      throw new CoreError('KEY_NOT_FOUND', `No revocation certificate is stored for ${address}.`);
    }
    return revocation;
  }

  /**
   * Imports every key in `data`: certificates become contacts (pinned on first sight), secret
   * keys become identities, re-protected with the Sealpost passphrase.
   */
  async import(
    data: Uint8Array,
    options: { keyPassphrase: string | null; replacePinned: boolean },
  ): Promise<ImportResult[]> {
    return importKeys(
      { store: this.store, passphrase: this.passphrase, log: this.log, audit: this.audit },
      data,
      options,
    );
  }

  /**
   * Writes every identity's secret key into one backup encrypted with a new recovery code.
   * The caller shows the code once and must not store it.
   */
  async exportBackup(): Promise<CreatedBackup> {
    const backup = await createBackup(this.store, this.passphrase());
    this.log.info({ identities: backup.identities.length }, 'backup exported');
    for (const identity of backup.identities) {
      this.audit.record('backup-export', identity.fingerprint);
    }
    return backup;
  }

  /**
   * Restores the keys of a backup made by `exportBackup`; stores nothing when any check fails,
   * including a backup without a key for `options.expectedAddress`. A failed restore is audited
   * with `outcome=rejected` and the error code.
   */
  async importBackup(
    data: Uint8Array,
    recoveryCode: string,
    options: RestoreOptions = {},
  ): Promise<RestoredIdentity[]> {
    const passphrase = this.passphrase();
    let restored: RestoredIdentity[];
    try {
      restored = await restoreBackup(this.store, passphrase, data, recoveryCode, options);
    } catch (error) {
      this.audit.record('backup-import', null, { outcome: 'rejected', error: errorCode(error) });
      throw error;
    }
    this.log.info({ identities: restored.length }, 'backup imported');
    for (const identity of restored) {
      this.audit.record('backup-import', identity.fingerprint, { outcome: identity.outcome });
    }
    return restored;
  }

  /**
   * Binds new encryption subkeys, created at `now`, to the key of `address`, whatever the
   * schedule. Peers pick the newest subkey by creation time, which has one-second resolution.
   */
  async rotate(address: string, now: Date = new Date()): Promise<RotationResult> {
    const identity = this.#identity(address);
    const result = await rotateIdentity(
      this.store,
      this.passphrase(),
      this.audit,
      identity.address,
      now,
    );
    this.log.info({ fingerprint: identity.fingerprint }, 'encryption subkeys rotated');
    return result;
  }

  /** Rotates the subkeys of every identity whose rotation interval has passed. */
  async rotateDue(now: Date = new Date()): Promise<RotationResult[]> {
    const results = await rotateDueIdentities(this.store, this.passphrase(), this.audit, now);
    for (const result of results) {
      this.log.info({ fingerprint: result.fingerprint }, 'encryption subkeys rotated when due');
    }
    return results;
  }

  /**
   * Runs `rotateDue` at most once a day per KeyService, for send to call before each message.
   * A failed rotation is logged and not raised, because the current subkeys still work.
   */
  async rotateDueOnce(now: Date = new Date()): Promise<RotationResult[]> {
    if (!this.#dueRotation.claim(now)) return [];
    try {
      return await this.rotateDue(now);
    } catch (error) {
      this.log.error({ err: error }, 'rotating due encryption subkeys failed');
      return [];
    }
  }

  /** Sets the expiry of the key of `address` to `years` after `now`, re-signing its bindings. */
  async extend(address: string, years: number, now: Date = new Date()): Promise<ExtendResult> {
    const identity = this.#identity(address);
    const result = await extendIdentity(
      this.store,
      this.passphrase(),
      this.audit,
      identity.address,
      years,
      now,
    );
    this.log.info({ fingerprint: identity.fingerprint }, 'key expiry extended');
    return result;
  }

  rotationIntervalDays(): number {
    return rotationIntervalDays(this.store);
  }

  setRotationIntervalDays(days: number): void {
    setRotationIntervalDays(this.store, days);
  }

  /**
   * Revokes the key of `address` with the revocation certificate made at creation, or one signed
   * now when the key was imported or restored. The revoked
   * certificate goes out in the Autocrypt header of the next messages sent from `address`.
   */
  async revoke(address: string): Promise<string> {
    const identity = this.#identity(address);
    const fingerprint = await revokeIdentity(
      this.store,
      this.passphrase(),
      this.audit,
      identity.address,
    );
    this.log.info({ fingerprint }, 'key revoked');
    return fingerprint;
  }

  /** Unlocks the secret keys of every identity, for decryption. Callers must `clear()` them. */
  async unlockAll(): Promise<UnlockedKey[]> {
    const unlocked: UnlockedKey[] = [];
    for (const identity of this.store.identities.list()) {
      // A key whose only copy is on an OpenPGP card is stored as a stub without secrets.
      if (readCardBinding(this.store, identity.address)?.diskCopy === false) continue;
      unlocked.push(await unlockSecretKey(identity.secretKey, this.passphrase()));
      // Revoked keys that were replaced still decrypt the mail sent to them.
      for (const retired of retiredSecretKeys(this.store, identity.address)) {
        unlocked.push(await unlockSecretKey(retired, this.passphrase()));
      }
    }
    return unlocked;
  }

  /**
   * Returns the unprotected armored secret key of `address`, for the import into an OpenPGP
   * card only. The caller must not store or log it.
   */
  async exportUnprotectedForCard(address: string): Promise<string> {
    const identity = this.#identity(address);
    const key = await unlockSecretKey(identity.secretKey, this.passphrase());
    try {
      return exportUnprotectedSecretKey(key);
    } finally {
      key.clear();
    }
  }

  /** Unlocks the key of `address` for signing. The caller must `clear()` it. */
  async unlock(address: string): Promise<UnlockedKey> {
    const identity = this.#identity(address);
    const key = await unlockSecretKey(identity.secretKey, this.passphrase());
    this.audit.countSignature(identity.fingerprint);
    return key;
  }

  #identity(address: string) {
    const normalized = normalizeAddress(address, '--address');
    const identity = this.store.identities.getByAddress(normalized);
    if (!identity) {
      throw new CoreError(
        'IDENTITY_NOT_FOUND',
        `There is no key for ${normalized}; create one with "sealpost key generate --address ${normalized}".`,
      );
    }
    return identity;
  }
}
