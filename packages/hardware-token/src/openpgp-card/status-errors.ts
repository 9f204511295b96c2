// Maps OpenPGP card status words (OpenPGP card specification 3.4 and ISO/IEC
// 7816-4) to typed errors. A wrong PIN carries the tries left; 0 tries means blocked.
import { HardwareTokenError, PinError } from '../errors.ts';
import {
  SW_AUTHENTICATION_METHOD_BLOCKED,
  SW_CONDITIONS_OF_USE_NOT_SATISFIED,
  SW_FILE_NOT_FOUND,
  SW_REFERENCED_DATA_NOT_FOUND,
  SW_SECURITY_STATUS_NOT_SATISFIED,
  formatStatusWord,
} from '../pcsc/apdu.ts';

export type PinReference = 'user' | 'admin' | 'resetCode';

const PIN_NAMES: Record<PinReference, string> = {
  user: 'user PIN (PW1)',
  admin: 'admin PIN (PW3)',
  resetCode: 'reset code',
};

/** Error for a PIN check that the card rejected with 63CX or 6983. */
export function pinErrorFor(sw: number, pin: PinReference): PinError {
  const name = PIN_NAMES[pin];
  const retriesLeft = (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : 0;
  if (sw === SW_AUTHENTICATION_METHOD_BLOCKED || retriesLeft === 0) {
    const next =
      pin === 'admin'
        ? 'The card must be reset (TERMINATE DF and ACTIVATE FILE), which erases its keys.'
        : 'Unblock it with the admin PIN or the reset code.';
    return new PinError('CARD_BLOCKED', `The card's ${name} is blocked. ${next}`, 0);
  }
  return new PinError(
    'CARD_PIN_INVALID',
    `The ${name} is wrong; ${retriesLeft} ${retriesLeft === 1 ? 'try remains' : 'tries remain'} before the card blocks it.`,
    retriesLeft,
  );
}

/** Error for any other status word than 9000, naming the command that failed. */
export function statusError(sw: number, command: string): HardwareTokenError {
  const hex = formatStatusWord(sw);
  switch (sw) {
    case SW_SECURITY_STATUS_NOT_SATISFIED:
      return new HardwareTokenError(
        'CARD_SECURITY_STATUS_NOT_SATISFIED',
        `The card rejected ${command} because the required PIN is not verified (status ${hex}). Verify the PIN first.`,
      );
    case SW_AUTHENTICATION_METHOD_BLOCKED:
      return new HardwareTokenError(
        'CARD_BLOCKED',
        `The card rejected ${command} because the PIN is blocked (status ${hex}). Unblock it with the admin PIN or the reset code.`,
      );
    case SW_FILE_NOT_FOUND:
      return new HardwareTokenError(
        'CARD_APPLICATION_NOT_FOUND',
        `The card has no OpenPGP application (status ${hex} on ${command}). Use an OpenPGP card such as a YubiKey or Nitrokey.`,
      );
    case SW_REFERENCED_DATA_NOT_FOUND:
    case SW_CONDITIONS_OF_USE_NOT_SATISFIED:
      return new HardwareTokenError(
        'CARD_KEY_MISSING',
        `The card rejected ${command} with status ${hex}; the key slot is probably empty. Generate or import a key first.`,
      );
    default:
      return new HardwareTokenError(
        'CARD_COMMAND_FAILED',
        `The card rejected ${command} with status ${hex}. Check the card with "gpg --card-status".`,
      );
  }
}
