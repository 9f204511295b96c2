// Decryption of the payload of an encrypted message for ReadService. Large PGP/MIME mail goes
// through the encrypted spool and is parsed from it as a stream (large-decrypt.ts). Everything
// else, and any message whose key is on an OpenPGP card, is decrypted into memory.

import type {
  DecryptAndVerifyOptions,
  DecryptedWith,
  DecryptionResult,
  SignatureResult,
} from '@sealpost/crypto-core';
import type { ParsedMessage } from '@sealpost/mail-transport';
import type { Store } from '@sealpost/storage';
import type { CardService } from './hardware/card-service.ts';
import { decryptWithCardOrKeys } from './hardware/card-read.ts';
import {
  isLargeMessage,
  openArmoredStream,
  openLargeMessage,
  readSpooledPayload,
  type SpooledDecryption,
  type SpooledPayload,
} from './large-decrypt.ts';
import { attachmentFilesOf } from './read-attachments.ts';

/** A decrypted payload, parsed from the spool for large messages or held in memory. */
export interface DecryptedPayload {
  decryptedWith: DecryptedWith;
  signatures: SignatureResult[];
  payload: SpooledPayload;
}

/** The parts of ReadService that the decryption uses. */
export interface PayloadDecryption {
  store: Store;
  cards: CardService | null;
  ownAddresses: string[];
  /** True when an OpenPGP card is bound to one of the identities. */
  usesCard: boolean;
}

type DecryptOptions = Omit<DecryptAndVerifyOptions, 'message'>;

/** Decrypts the ciphertext held in `parsed`. */
export async function decryptParsedPayload(
  decryption: PayloadDecryption,
  parsed: ParsedMessage,
  options: DecryptOptions,
): Promise<DecryptedPayload> {
  const armored =
    parsed.kind === 'pgp-mime-encrypted'
      ? parsed.encrypted!.armoredCiphertext
      : parsed.inline!.armored;
  const decryptOptions = { message: armored, ...options };
  // Large PGP/MIME mail is decrypted by streaming, unless the key is on an OpenPGP card.
  if (parsed.kind === 'pgp-mime-encrypted' && isLargeMessage(armored) && !decryption.usesCard) {
    return spooled(
      await openLargeMessage(decryptOptions, (spool) =>
        readSpooledPayload(spool, attachmentFilesOf(decryption.store)),
      ),
    );
  }
  return inMemory(
    await decryptWithCardOrKeys(decryption.cards, decryption.ownAddresses, decryptOptions),
  );
}

/**
 * Decrypts the armored ciphertext streamed from a message file. With an OpenPGP card it is
 * read into memory first, because the card decryption takes the whole message.
 */
export async function decryptStreamedPayload(
  decryption: PayloadDecryption,
  ciphertext: () => AsyncIterable<Uint8Array>,
  options: DecryptOptions,
): Promise<DecryptedPayload> {
  if (!decryption.usesCard) {
    return spooled(
      await openArmoredStream({ ...options, message: ciphertext() }, (spool) =>
        readSpooledPayload(spool, attachmentFilesOf(decryption.store)),
      ),
    );
  }
  const parts: Uint8Array[] = [];
  for await (const part of ciphertext()) parts.push(part);
  const message = Buffer.concat(parts).toString('latin1');
  return inMemory(
    await decryptWithCardOrKeys(decryption.cards, decryption.ownAddresses, {
      ...options,
      message,
    }),
  );
}

function spooled(decryption: SpooledDecryption<SpooledPayload>): DecryptedPayload {
  const { decryptedWith, signatures, content } = decryption;
  return { decryptedWith, signatures, payload: content };
}

function inMemory(decrypted: DecryptionResult): DecryptedPayload {
  const { decryptedWith, signatures, data } = decrypted;
  return { decryptedWith, signatures, payload: { entity: null, data } };
}
