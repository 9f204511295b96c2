// Error text for unlocking with a FIDO2 security key from the desktop app. The package's
// messages name CLI options and CTAP details, so the unlock screen gets plain sentences
// instead. Each error keeps its code, its PIN retry counter and the original error as `cause`.

import { HardwareTokenError, PinError } from '@sealpost/hardware-token';
import { CoreError } from '../errors.ts';
import type { SecurityKeyState } from './fido2-unlock.ts';

/** Returns what opens the folder without the key, for the end of a message. */
function recoverySecret(state: SecurityKeyState): string {
  return state.recovery === 'recovery-code' ? 'your recovery code' : 'your Sealpost passphrase';
}

/**
 * Returns `error` with a message for the unlock screen when it is a FIDO2 failure, and `error`
 * itself otherwise. `timeoutMs` is the wait for a touch that ran out in a FIDO_TIMEOUT.
 */
export function describeFido2Failure(
  error: unknown,
  timeoutMs: number,
  state: SecurityKeyState,
): unknown {
  const options = { cause: error };
  if (error instanceof PinError && error.code === 'FIDO_PIN_INVALID') {
    const tries = error.retriesLeft === 1 ? '1 try left' : `${error.retriesLeft} tries left`;
    return new PinError(
      'FIDO_PIN_INVALID',
      `Wrong security key PIN: ${tries} before the key blocks its PIN. Enter the PIN again.`,
      error.retriesLeft,
      options,
    );
  }
  if (error instanceof PinError && error.code === 'FIDO_PIN_BLOCKED') {
    return new PinError(
      'FIDO_PIN_BLOCKED',
      // The package reports two states as FIDO_PIN_BLOCKED. With no tries left the PIN is
      // blocked for good. After three wrong tries in a row it is blocked until a replug.
      `The security key's PIN is blocked. After three wrong tries in a row, unplug the key, plug it in and try again. ` +
        `If no tries are left, unlock with ${recoverySecret(state)}, then reset the key with its maker's tool and enrol it again.`,
      0,
      options,
    );
  }
  if (error instanceof CoreError && error.code === 'FIDO2_SLOT_TAMPERED') {
    return new CoreError(
      'FIDO2_SLOT_TAMPERED',
      `The security key answered, but its wrapped keys in keystore.json failed their integrity check, so the file was changed. Restore keystore.json from a backup, or use ${recoverySecret(state)}.`,
      options,
    );
  }
  if (!(error instanceof HardwareTokenError)) return error;

  switch (error.code) {
    case 'FIDO_TIMEOUT':
      return new HardwareTokenError(
        'FIDO_TIMEOUT',
        `No touch within ${Math.round(timeoutMs / 1000)} seconds — touch the key and try again.`,
        options,
      );
    case 'FIDO_PIN_REQUIRED':
      return new HardwareTokenError(
        'FIDO_PIN_REQUIRED',
        'This security key was enrolled with its PIN. Enter the PIN and try again.',
        options,
      );
    case 'FIDO_PIN_INVALID':
      // A PIN of the wrong length is rejected before it reaches the key, so no try was used.
      return new HardwareTokenError(
        'FIDO_PIN_INVALID',
        'A security key PIN has 4 to 63 bytes. No try was used; enter the PIN again.',
        options,
      );
    case 'FIDO_CREDENTIAL_NOT_FOUND':
      return new HardwareTokenError(
        'FIDO_CREDENTIAL_NOT_FOUND',
        `This key is not enrolled for this data folder. Connect the enrolled key, or use ${recoverySecret(state)}.`,
        options,
      );
    case 'FIDO_DEVICE_NOT_FOUND':
      return new HardwareTokenError(
        'FIDO_DEVICE_NOT_FOUND',
        `No security key is connected. Connect the enrolled key and try again, or use ${recoverySecret(state)}.`,
        options,
      );
    default:
      return error;
  }
}
