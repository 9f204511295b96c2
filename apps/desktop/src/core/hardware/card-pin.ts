// PIN entry for card operations. The front end (CLI or UI) supplies a PinPrompt; the card
// service calls it with the tries the card has left, sends the PIN once, and on a wrong PIN
// asks again with the new count. A prompt that returns null cancels, so a PIN read from a
// file is never sent twice. PINs are not stored by the service.
import { PinError } from '@sealpost/hardware-token';

export type PinKind = 'user' | 'admin';

export interface PinRequest {
  kind: PinKind;
  /** What the PIN unlocks, for the prompt text, e.g. "sign as alice@example.org". */
  operation: string;
  serial: string;
  /** Tries left before the card blocks this PIN, as the card reports them. */
  retriesLeft: number;
  /** Set when the previous PIN was wrong; the message states the tries left. */
  previousError: string | null;
}

/** Returns the PIN, or null to cancel the operation. */
export type PinPrompt = (request: PinRequest) => Promise<string | null>;

export class PinCancelledError extends Error {
  override readonly name = 'PinCancelledError';
  readonly code = 'CARD_PIN_CANCELLED';
}

/**
 * Runs `operation` with a PIN from `prompt`, asking again after a wrong PIN while tries are
 * left. A blocked PIN (CARD_BLOCKED) and every other error end the loop at once.
 */
export async function withPin<T>(
  prompt: PinPrompt,
  request: Omit<PinRequest, 'previousError' | 'retriesLeft'>,
  retriesLeft: () => number,
  operation: (pin: string) => Promise<T>,
): Promise<T> {
  let previous: PinError | null = null;
  for (;;) {
    const pin = await prompt({
      ...request,
      retriesLeft: retriesLeft(),
      previousError: previous?.message ?? null,
    });
    if (pin === null) {
      if (previous) throw previous;
      throw new PinCancelledError(
        `No ${request.kind} PIN was entered for the card ${request.serial}, so nothing was done. Enter the PIN to ${request.operation}.`,
      );
    }
    try {
      return await operation(pin);
    } catch (error) {
      if (!(error instanceof PinError) || error.code !== 'CARD_PIN_INVALID') throw error;
      previous = error;
    }
  }
}
