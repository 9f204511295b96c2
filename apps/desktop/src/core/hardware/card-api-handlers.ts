// The MailApi handlers of the hardware-token panel: card status, moving a key to the card and
// using a key already on it, with the PINs the panel sends. `card:pin` keeps the user PIN
// in this process's memory for signing and decryption in send and read, until it is cleared,
// the app stops, or the card rejects it.
import type { CardBindingView, CardStatusView, MailApi } from '@sealpost/ui';
import type { Sealpost } from '../sealpost.ts';
import type { CardBinding } from './card-binding.ts';
import type { PinPrompt } from './card-pin.ts';

type CardMethods = Pick<MailApi, 'card:status' | 'card:move' | 'card:use' | 'card:pin'>;

/** Returns a prompt that hands out each PIN once per operation and cancels after a wrong one. */
function fixedPins(pins: { user: string | null; admin: string | null }): PinPrompt {
  return async (request) => (request.previousError ? null : pins[request.kind]);
}

function toView(binding: CardBinding): CardBindingView {
  return {
    address: binding.address,
    serial: binding.serial,
    signatureFingerprint: binding.signatureFingerprint,
    decryptionFingerprint: binding.decryptionFingerprint,
    diskCopy: binding.diskCopy,
  };
}

export function createCardApiHandlers(core: () => Sealpost): CardMethods {
  let sessionPin: string | null = null;
  const sessionPrompt: PinPrompt = async (request) => {
    // A rejected PIN is dropped, so the user enters it again in the panel instead of using up tries.
    if (request.previousError) sessionPin = null;
    return request.kind === 'user' ? sessionPin : null;
  };
  const restoreSessionPrompt = (): void => core().cards.setPinPrompt(sessionPrompt);

  return {
    'card:status': async (): Promise<CardStatusView> => {
      const status = await core().cards.status();
      return {
        readerName: status.readerName,
        serial: status.serial,
        version: status.version,
        userPinRetries: status.userPinRetries,
        adminPinRetries: status.adminPinRetries,
        signatureFingerprint: status.signatureFingerprint,
        decryptionFingerprint: status.decryptionFingerprint,
        boundAddresses: status.boundAddresses,
      };
    },
    'card:move': async ({ address, keepDiskCopy, adminPin, userPin }) => {
      core().cards.setPinPrompt(fixedPins({ user: userPin, admin: adminPin }));
      try {
        return toView(await core().cards.moveKey({ address, keepDiskCopy }));
      } finally {
        restoreSessionPrompt();
      }
    },
    'card:use': async ({ address, userPin }) => {
      core().cards.setPinPrompt(fixedPins({ user: userPin, admin: null }));
      try {
        return toView(await core().cards.useKey({ address }));
      } finally {
        restoreSessionPrompt();
      }
    },
    'card:pin': async ({ userPin }) => {
      sessionPin = userPin;
      restoreSessionPrompt();
      return { pinSet: sessionPin !== null };
    },
  };
}
