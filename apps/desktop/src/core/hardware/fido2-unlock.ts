// Unlocking a data folder with an enrolled FIDO2 security key: one getAssertion with the
// hmac-secret extension (CTAP 2.1 section 12.5) against every enrolled credential, then the
// matching slot's keys are unwrapped. It also decides, before the database opens, whether the
// folder's policy calls for the security key, so every front end unlocks the same way.

import { HardwareTokenError, deriveKeyEncryptionKey } from '@sealpost/hardware-token';
import type { HmacSecretEnrolment } from '@sealpost/hardware-token';
import { CoreError } from '../errors.ts';
import { openSlot } from '../keystore/fido2-slots.ts';
import { OsKeychain } from '../keystore/keychain.ts';
import { unlockKeystore } from '../keystore/keystore.ts';
import type { UnlockedKeystore } from '../keystore/keystore.ts';
import { keystoreFileExists, readKeystoreFile } from '../keystore/keystore-file.ts';
import type { Fido2Slot } from '../keystore/keystore-file.ts';
import type { KeyAccess } from '../keystore/open-keys.ts';
import type { DataPaths } from '../paths.ts';
import { defaultFido2DeviceSource } from './fido2-device.ts';
import type { Fido2DeviceSource } from './fido2-device.ts';

/** Device, PIN prompt and touch prompt of the front end for one FIDO2 operation. */
export interface Fido2Interaction {
  /** The device source; the process default (node-hid) when omitted. */
  device?: Fido2DeviceSource;
  /** Returns the authenticator PIN; called only when a credential was enrolled with it. */
  requestPin?: () => Promise<string | null>;
  /** Called each time the authenticator waits for a touch. */
  onTouchNeeded?: () => void;
  /** How long to wait for each response, including the touch, in milliseconds. */
  timeoutMs?: number;
}

/** Default wait for a touch: long enough to find the key and press it. */
export const FIDO2_TOUCH_TIMEOUT_MS = 30_000;

export function enrolmentOfSlot(slot: Fido2Slot): HmacSecretEnrolment {
  return {
    rpId: slot.rpId,
    credentialId: new Uint8Array(Buffer.from(slot.credentialId, 'base64')),
    salt: new Uint8Array(Buffer.from(slot.salt, 'base64')),
    userVerification: slot.userVerification,
  };
}

/**
 * Unlocks the keys in `keystoreFile` with the security key behind `interaction.device`. Raises
 * the package's FIDO_* errors (no matching credential, timeout, wrong or blocked PIN) and
 * FIDO2_SLOT_TAMPERED, and changes nothing on disk in every case.
 */
export async function unlockWithFido2(
  keystoreFile: string,
  interaction: Fido2Interaction,
): Promise<UnlockedKeystore> {
  const contents = readKeystoreFile(keystoreFile);
  const slots = contents.fido2 ?? [];
  if (slots.length === 0) {
    throw new CoreError(
      'FIDO2_SLOT_NOT_FOUND',
      'No FIDO2 security key is enrolled for this data folder; enrol one with "sealpost key fido2 enroll".',
    );
  }
  const enrolments = slots.map(enrolmentOfSlot);
  const device = interaction.device ?? defaultFido2DeviceSource();
  if (!(await device.isConnected())) {
    throw new HardwareTokenError(
      'FIDO_DEVICE_NOT_FOUND',
      contents.mode === 'fido2'
        ? 'No FIDO2 security key is connected. Connect an enrolled key, or recover with ' +
            (contents.recovery === 'recovery-code'
              ? 'the recovery code (--fido2-recovery-code-file).'
              : 'the Sealpost passphrase (--passphrase-file).')
        : 'No FIDO2 security key is connected. Connect an enrolled key and try again.',
    );
  }

  const pin = slots.some((slot) => slot.userVerification)
    ? ((await interaction.requestPin?.()) ?? undefined)
    : undefined;
  const derived = await deriveKeyEncryptionKey(await device.open(), enrolments, {
    pin,
    timeoutMs: interaction.timeoutMs ?? FIDO2_TOUCH_TIMEOUT_MS,
    onTouchNeeded: interaction.onTouchNeeded,
  });
  try {
    const slot = slots[enrolments.indexOf(derived.enrolment)]!;
    return openSlot(slot, derived.keyEncryptionKey, contents.mode);
  } finally {
    derived.keyEncryptionKey.fill(0);
  }
}

/** The FIDO2 unlock options of a data folder, as the unlock screen offers them. */
export interface SecurityKeyState {
  /** True when at least one FIDO2 security key is enrolled. */
  enrolled: boolean;
  /** True in FIDO2 mode, where only the key or the recovery secret opens the folder. */
  required: boolean;
  /** True when a key was enrolled with its PIN, so unlocking requests the PIN. */
  pinRequired: boolean;
  /** The secret that opens a FIDO2-mode folder without the key; null in the other modes. */
  recovery: 'passphrase' | 'recovery-code' | null;
}

/** Returns the FIDO2 unlock options of the folder at `paths`, without unlocking anything. */
export function securityKeyState(paths: DataPaths): SecurityKeyState {
  const none: SecurityKeyState = {
    enrolled: false,
    required: false,
    pinRequired: false,
    recovery: null,
  };
  if (!keystoreFileExists(paths.keystore)) return none;
  const contents = readKeystoreFile(paths.keystore);
  const slots = contents.fido2 ?? [];
  if (contents.migratingFrom || slots.length === 0) return none;
  const required = contents.mode === 'fido2';
  return {
    enrolled: true,
    required,
    pinRequired: slots.some((slot) => slot.userVerification),
    recovery: required ? (contents.recovery ?? 'passphrase') : null,
  };
}

/** Reports whether the folder at `paths` has an enrolled FIDO2 key, without unlocking anything. */
export function hasFido2Keys(paths: DataPaths): boolean {
  return (
    keystoreFileExists(paths.keystore) && (readKeystoreFile(paths.keystore).fido2 ?? []).length > 0
  );
}

/** Keychain errors after which an enrolled FIDO2 key may open a keychain folder instead. */
export const KEYCHAIN_FAILURES: ReadonlySet<string> = new Set([
  'KEYCHAIN_UNAVAILABLE',
  'KEYCHAIN_LOCKED',
  'KEYCHAIN_ENTRY_MISSING',
]);

/**
 * Returns `access` with `unlocked` set when the folder's policy calls for its FIDO2 key. FIDO2
 * mode always does, unless a passphrase or recovery code was given. The other modes use the
 * key only for a front end that passes `interaction`, because only then is a touch prompt
 * shown. Passphrase mode uses it when no passphrase was given and a key is connected. Keychain
 * mode uses it when the keychain fails and a key is connected. Otherwise `access` is returned.
 */
export async function applyFido2Policy(
  paths: DataPaths,
  access: KeyAccess,
  interaction?: Fido2Interaction,
): Promise<KeyAccess> {
  if (access.unlocked || !keystoreFileExists(paths.keystore)) return access;
  const contents = readKeystoreFile(paths.keystore);
  if (contents.migratingFrom || (contents.fido2 ?? []).length === 0) return access;
  const passphrase = access.passphrase ?? null;
  const device = interaction?.device ?? defaultFido2DeviceSource();
  const withFido2 = async (): Promise<KeyAccess> => ({
    ...access,
    unlocked: await unlockWithFido2(paths.keystore, { ...interaction, device }),
  });

  if (contents.mode === 'fido2') return passphrase === null ? withFido2() : access;
  if (interaction === undefined) return access;
  if (contents.mode === 'passphrase') {
    return passphrase === null && (await device.isConnected()) ? withFido2() : access;
  }

  const keychain = access.keychain === undefined ? new OsKeychain() : access.keychain;
  try {
    return { ...access, unlocked: unlockKeystore(paths.keystore, { keychain, passphrase }) };
  } catch (error) {
    const code = error instanceof CoreError ? error.code : '';
    if (!KEYCHAIN_FAILURES.has(code) || !(await device.isConnected())) throw error;
    return withFido2();
  }
}
