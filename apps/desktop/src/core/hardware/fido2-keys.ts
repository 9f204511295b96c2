// FIDO2 security keys as unlock methods of the keystore: enrol (makeCredential with the
// hmac-secret extension, then one getAssertion for the output, CTAP 2.1 section 12.5), list and
// remove. Enrolment with `require` leaves the keys only in FIDO2 slots plus a recovery seal:
// the keychain copy is deleted, and a keychain folder gets a new recovery code shown once.

import { enrollHmacSecret, deriveKeyEncryptionKey } from '@sealpost/hardware-token';
import { generateRecoveryCode } from '../backup.ts';
import { CoreError } from '../errors.ts';
import {
  assertNewSlotName,
  defaultSlotName,
  newSlotId,
  withoutSlot,
  wrapKeysForSlot,
} from '../keystore/fido2-slots.ts';
import type { Keychain } from '../keystore/keychain.ts';
import { entryName } from '../keystore/keystore.ts';
import type { UnlockedKeystore } from '../keystore/keystore.ts';
import { readKeystoreFile, writeKeystoreFile } from '../keystore/keystore-file.ts';
import type { Fido2Slot, KeystoreFile, KeystoreMode } from '../keystore/keystore-file.ts';
import { defaultFido2DeviceSource } from './fido2-device.ts';
import { FIDO2_TOUCH_TIMEOUT_MS } from './fido2-unlock.ts';
import type { Fido2Interaction } from './fido2-unlock.ts';

/** WebAuthn relying party ID of Sealpost's credentials; a fixed name, never a web origin. */
export const FIDO2_RP_ID = 'sealpost.local';

export interface Fido2KeySummary {
  name: string;
  createdAt: string;
  /** True when the key's PIN is needed to unlock. */
  pinRequired: boolean;
}

export interface Fido2EnrolResult {
  key: Fido2KeySummary;
  /** The keystore mode afterwards: "fido2" once the security key is required. */
  mode: KeystoreMode;
  /** Set when `require` turned a keychain folder to FIDO2 mode; shown once, stored nowhere. */
  recoveryCode: string | null;
}

export class Fido2Keys {
  constructor(
    private readonly keystoreFile: string,
    private readonly keystore: () => UnlockedKeystore,
    private readonly keychain: () => Keychain | null,
  ) {}

  list(): Fido2KeySummary[] {
    return (readKeystoreFile(this.keystoreFile).fido2 ?? []).map(summaryOf);
  }

  /** Returns the keystore mode: "fido2" when the security key is required. */
  mode(): KeystoreMode {
    return readKeystoreFile(this.keystoreFile).mode;
  }

  /**
   * Enrols the security key behind `interaction.device`: two touches, the PIN when the key has
   * one. keystore.json changes only after both CTAP operations succeeded.
   */
  async enroll(
    options: { name?: string; require?: boolean } & Fido2Interaction,
  ): Promise<Fido2EnrolResult> {
    const contents = readKeystoreFile(this.keystoreFile);
    const name = options.name ?? defaultSlotName(contents);
    assertNewSlotName(contents, name);
    const unlocked = this.keystore();
    const device = options.device ?? defaultFido2DeviceSource();
    const pin = (await options.requestPin?.()) ?? undefined;
    const operation = {
      pin,
      timeoutMs: options.timeoutMs ?? FIDO2_TOUCH_TIMEOUT_MS,
      onTouchNeeded: options.onTouchNeeded,
    };

    const enrolment = await enrollHmacSecret(await device.open(), {
      ...operation,
      rpId: FIDO2_RP_ID,
      userName: name,
    });
    const derived = await deriveKeyEncryptionKey(await device.open(), [enrolment], operation);
    const slot: Fido2Slot = {
      id: newSlotId(),
      name,
      rpId: enrolment.rpId,
      credentialId: Buffer.from(enrolment.credentialId).toString('base64'),
      salt: Buffer.from(enrolment.salt).toString('base64'),
      userVerification: enrolment.userVerification,
      wrappedKeys: '',
      createdAt: new Date().toISOString(),
    };
    try {
      slot.wrappedKeys = wrapKeysForSlot(unlocked, slot.id, derived.keyEncryptionKey);
    } finally {
      derived.keyEncryptionKey.fill(0);
    }

    const updated: KeystoreFile = { ...contents, fido2: [...(contents.fido2 ?? []), slot] };
    let recoveryCode: string | null = null;
    if (options.require && contents.mode !== 'fido2') {
      if (contents.mode === 'keychain') {
        recoveryCode = generateRecoveryCode();
        Object.assign(updated, unlocked.sealWithSecret(recoveryCode), {
          recovery: 'recovery-code',
        });
      } else {
        updated.recovery = 'passphrase';
      }
      updated.mode = 'fido2';
    }
    writeKeystoreFile(this.keystoreFile, updated);

    // The keychain copy goes only after the file that replaces it is on disk.
    if (contents.mode === 'keychain' && updated.mode === 'fido2') {
      this.#deleteKeychainCopy(contents.folderId);
    }
    return { key: summaryOf(slot), mode: updated.mode, recoveryCode };
  }

  /** Removes the key `name`; the last key of a folder that requires one is refused. */
  remove(name: string): void {
    const contents = readKeystoreFile(this.keystoreFile);
    writeKeystoreFile(this.keystoreFile, withoutSlot(contents, name));
  }

  #deleteKeychainCopy(folderId: string): void {
    const keychain = this.keychain();
    if (!keychain) {
      throw new CoreError(
        'KEYCHAIN_UNAVAILABLE',
        'The FIDO2 key is now required, but the keychain copy of the keys could not be deleted because no keychain is available. ' +
          'Delete the Sealpost entries in your keychain by hand.',
      );
    }
    keychain.delete(entryName(folderId, 'kek'));
    keychain.delete(entryName(folderId, 'database-key'));
  }
}

function summaryOf(slot: Fido2Slot): Fido2KeySummary {
  return { name: slot.name, createdAt: slot.createdAt, pinRequired: slot.userVerification };
}
