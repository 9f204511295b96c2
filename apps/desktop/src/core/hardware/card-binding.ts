// The record that an identity's secret keys live on an OpenPGP card: the card's serial
// number, the fingerprints of its signature and decryption keys, and whether an encrypted
// copy of the secret key is still kept on disk. Stored in the key_settings table, one entry
// per address, so send and read know to ask the card instead of the keystore.
import type { Store } from '@sealpost/storage';
import { CoreError } from '../errors.ts';

export interface CardBinding {
  address: string;
  /** Card serial number as 8 hex digits (OpenPGP card AID bytes 10 to 13). */
  serial: string;
  /** Uppercase hex v4 fingerprint of the card's signature key, the identity's primary key. */
  signatureFingerprint: string;
  /** Uppercase hex v4 fingerprint of the card's decryption key, a Curve25519 ECDH subkey. */
  decryptionFingerprint: string;
  /** Whether the protected secret key is still stored on disk as well. */
  diskCopy: boolean;
  boundAt: string;
}

const SETTING_PREFIX = 'card-binding:';
/** Value of a cleared record, because key_settings has no delete and rejects empty text. */
const NO_BINDING = 'none';

export function readCardBinding(store: Store, address: string): CardBinding | null {
  const value = store.keySettings.get(`${SETTING_PREFIX}${address.toLowerCase()}`);
  if (value === null || value === NO_BINDING) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The card record of ${address} is not valid JSON; bind the card again with "sealpost card use-key".`,
      { cause: error },
    );
  }
  const binding = parsed as Partial<CardBinding>;
  if (
    typeof binding.serial !== 'string' ||
    typeof binding.signatureFingerprint !== 'string' ||
    typeof binding.decryptionFingerprint !== 'string' ||
    typeof binding.diskCopy !== 'boolean'
  ) {
    throw new CoreError(
      'KEYSTORE_CORRUPT',
      `The card record of ${address} lacks the serial or a fingerprint; bind the card again with "sealpost card use-key".`,
    );
  }
  return { ...(binding as CardBinding), address: address.toLowerCase() };
}

export function writeCardBinding(store: Store, binding: CardBinding): void {
  store.keySettings.set(`${SETTING_PREFIX}${binding.address}`, JSON.stringify(binding));
}

export function clearCardBinding(store: Store, address: string): void {
  store.keySettings.set(`${SETTING_PREFIX}${address.toLowerCase()}`, NO_BINDING);
}
