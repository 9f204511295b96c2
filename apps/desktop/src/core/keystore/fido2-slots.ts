// FIDO2 slots of the keystore: the KEK and the database key wrapped with AES-256-GCM under a
// key that HKDF-SHA-256 (RFC 5869) derives from a security key's hmac-secret output (CTAP 2.1
// section 12.5). The slot id is the GCM associated data, so a blob copied into another slot
// fails to open. A slot is only as strong as the authenticator that stores its credential.

import { hkdfSync, randomBytes } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { Fido2Slot, KeystoreFile, KeystoreMode } from './keystore-file.ts';
import { openWrappedKeys } from './keystore.ts';
import type { UnlockedKeystore } from './keystore.ts';

/** Upper bound on enrolled keys, so a crafted keystore.json cannot make unlocking loop long. */
export const MAX_FIDO2_SLOTS = 16;
const SLOT_KEY_INFO = 'sealpost keystore fido2 slot v1';
const SLOT_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

function associatedData(slotId: string): Buffer {
  return Buffer.from(`sealpost keystore fido2 slot ${slotId}`);
}

/** Derives the AES-256-GCM key of one slot; the caller wipes it. */
function slotWrappingKey(keyEncryptionKey: Uint8Array, slotId: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', keyEncryptionKey, Buffer.from(slotId, 'hex'), SLOT_KEY_INFO, 32),
  );
}

export function newSlotId(): string {
  return randomBytes(16).toString('hex');
}

/** Wraps the unlocked keys for slot `slotId` under `keyEncryptionKey` (the hmac-secret KEK). */
export function wrapKeysForSlot(
  keystore: UnlockedKeystore,
  slotId: string,
  keyEncryptionKey: Uint8Array,
): string {
  const wrappingKey = slotWrappingKey(keyEncryptionKey, slotId);
  try {
    return keystore.wrap(wrappingKey, associatedData(slotId));
  } finally {
    wrappingKey.fill(0);
  }
}

/**
 * Opens the keys of `slot` with `keyEncryptionKey`. A changed blob, id or key fails the GCM tag
 * check and raises FIDO2_SLOT_TAMPERED; no key material is returned in that case.
 */
export function openSlot(
  slot: Fido2Slot,
  keyEncryptionKey: Uint8Array,
  mode: KeystoreMode,
): UnlockedKeystore {
  const wrappingKey = slotWrappingKey(keyEncryptionKey, slot.id);
  try {
    return openWrappedKeys(
      wrappingKey,
      associatedData(slot.id),
      slot.wrappedKeys,
      mode,
      (cause) =>
        new CoreError(
          'FIDO2_SLOT_TAMPERED',
          `The wrapped keys of FIDO2 slot "${slot.name}" failed their integrity check, so keystore.json was changed. ` +
            'Restore keystore.json from a backup, or recover with the passphrase or recovery code.',
          { cause },
        ),
    );
  } finally {
    wrappingKey.fill(0);
  }
}

/** Checks a new slot name: 1 to 64 letters, digits, spaces, dots, dashes or underscores, unused. */
export function assertNewSlotName(contents: KeystoreFile, name: string): void {
  if (!SLOT_NAME.test(name)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `The FIDO2 key name ${JSON.stringify(name)} is invalid; use 1 to 64 letters, digits, spaces, ".", "-" or "_", starting with a letter or digit.`,
    );
  }
  if ((contents.fido2 ?? []).some((slot) => slot.name === name)) {
    throw new CoreError(
      'FIDO2_SLOT_EXISTS',
      `A FIDO2 key named "${name}" is already enrolled; choose another name with --name.`,
    );
  }
  if ((contents.fido2 ?? []).length >= MAX_FIDO2_SLOTS) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${MAX_FIDO2_SLOTS} FIDO2 keys are enrolled, the maximum; remove one with "sealpost key fido2 remove NAME" first.`,
    );
  }
}

/** Returns the first free name of the form "security-key-N". */
export function defaultSlotName(contents: KeystoreFile): string {
  const taken = new Set((contents.fido2 ?? []).map((slot) => slot.name));
  let number = 1;
  while (taken.has(`security-key-${number}`)) number += 1;
  return `security-key-${number}`;
}

/**
 * Returns `contents` without the slot `name`. Raises FIDO2_SLOT_NOT_FOUND for an unknown name,
 * and FIDO2_LAST_UNLOCK_METHOD for the last slot of a folder whose keys exist only in slots,
 * because then only the recovery seal would be left.
 */
export function withoutSlot(contents: KeystoreFile, name: string): KeystoreFile {
  const slots = contents.fido2 ?? [];
  if (!slots.some((slot) => slot.name === name)) {
    throw new CoreError(
      'FIDO2_SLOT_NOT_FOUND',
      `No FIDO2 key named "${name}" is enrolled; "sealpost key fido2 list" shows the names.`,
    );
  }
  if (contents.mode === 'fido2' && slots.length === 1) {
    throw new CoreError(
      'FIDO2_LAST_UNLOCK_METHOD',
      `"${name}" is the only FIDO2 key that unlocks this data folder, and only the recovery path would remain. ` +
        'Enrol another key with "sealpost key fido2 enroll" first.',
    );
  }
  const remaining = slots.filter((slot) => slot.name !== name);
  const updated: KeystoreFile = { ...contents, fido2: remaining };
  if (remaining.length === 0) delete updated.fido2;
  return updated;
}
