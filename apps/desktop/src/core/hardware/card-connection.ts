// One operation on an OpenPGP card over PC/SC. This file opens and closes the connection and
// checks that the inserted card is the bound one before any PIN is sent. It runs the operation
// under the PIN prompt and provides the signer and ECDH functions that crypto-core calls.
import type { Logger } from 'pino';
import type { ExternalEcdh, ExternalSigner } from '@sealpost/crypto-core';
import { HardwareTokenError, OpenPgpCard, PcscCardTransport } from '@sealpost/hardware-token';
import type { CardBinding } from './card-binding.ts';
import { withPin, type PinKind, type PinPrompt } from './card-pin.ts';

export interface CardConnectionOptions {
  /** Substring of the PC/SC reader name; the first reader with a card when omitted. */
  readerName?: string;
  /** How long to wait for a card, in milliseconds. */
  timeoutMs?: number;
}

export function hex(bytes: Uint8Array | null): string | null {
  return bytes ? Buffer.from(bytes).toString('hex').toUpperCase() : null;
}

export function fingerprintBytes(fingerprint: string): Uint8Array {
  return new Uint8Array(Buffer.from(fingerprint, 'hex'));
}

/** Connects to the card, runs `action`, and closes the connection whatever happens. */
export async function withCard<T>(
  options: CardConnectionOptions,
  log: Logger,
  action: (card: OpenPgpCard) => Promise<T>,
): Promise<T> {
  const transport = await PcscCardTransport.connect({
    readerName: options.readerName,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  let card: OpenPgpCard;
  try {
    card = await OpenPgpCard.open(transport);
  } catch (error) {
    await transport.close();
    throw error;
  }
  try {
    return await action(card);
  } finally {
    await card.close().catch((error: unknown) => {
      log.warn({ err: error }, 'closing the card connection failed');
    });
  }
}

/** Raises CARD_KEY_MISMATCH unless `card` is the card of `binding`, before any PIN is sent. */
export function requireBoundCard(card: OpenPgpCard, binding: CardBinding): void {
  const data = card.applicationData;
  const signature = hex(data.fingerprints.signature);
  if (data.serial !== binding.serial || signature !== binding.signatureFingerprint) {
    throw new HardwareTokenError(
      'CARD_KEY_MISMATCH',
      `The card ${data.serial} holds signature key ${signature ?? '(none)'}, but the key of ${binding.address} is ${binding.signatureFingerprint} on card ${binding.serial}. Insert that card.`,
    );
  }
}

/**
 * Runs one card operation under the PIN prompt. The prompt gets the tries the card reports
 * and is called again after a wrong PIN. A failure raises the card's own error code.
 */
export async function underPin<T>(
  prompt: PinPrompt,
  card: OpenPgpCard,
  kind: PinKind,
  operation: string,
  action: (pin: string) => Promise<T>,
): Promise<T> {
  return withPin(
    prompt,
    { kind, operation, serial: card.applicationData.serial },
    () => card.applicationData.pinStatus.retries[kind],
    async (pin) => {
      try {
        return await action(pin);
      } catch (error) {
        throw unwrapCardError(error);
      }
    },
  );
}

/** Signs a digest with the card's signature key, after checking the key's fingerprint. */
export function cardSigner(card: OpenPgpCard, binding: CardBinding, pin: string): ExternalSigner {
  return (digest) =>
    card.sign(digest, {
      pin,
      expectedFingerprint: fingerprintBytes(binding.signatureFingerprint),
    });
}

/** Computes X25519 with the card's decryption key, after checking the key's fingerprint. */
export function cardEcdh(card: OpenPgpCard, binding: CardBinding, pin: string): ExternalEcdh {
  return (point) =>
    card.decipher(point, {
      pin,
      expectedFingerprint: fingerprintBytes(binding.decryptionFingerprint),
    });
}

/**
 * crypto-core wraps the card's error as the `cause` of SIGN_FAILED or DECRYPT_FAILED; the
 * card's own code (CARD_REMOVED, CARD_PIN_INVALID, ...) is the one the user can act on.
 */
function unwrapCardError(error: unknown): unknown {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof HardwareTokenError) return current;
    current = current.cause;
  }
  return error;
}
