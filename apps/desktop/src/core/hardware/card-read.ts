// Decryption for read. The OpenPGP card decrypts a message encrypted to the Curve25519 subkey
// of an identity whose key is on that card. The keys of the keystore decrypt every other
// message. The key IDs of the message's PKESK packets (RFC 9580 section 5.1)
// decide, so the card is asked only for messages that need it. Both paths verify the
// signatures inside the encrypted message with the same certificates.
import { decryptAndVerify } from '@sealpost/crypto-core';
import type { DecryptAndVerifyOptions, DecryptionResult } from '@sealpost/crypto-core';
import { readMessage } from 'openpgp';
import type { CardService } from './card-service.ts';
import type { CardBinding } from './card-binding.ts';

export async function decryptWithCardOrKeys(
  cards: CardService | null,
  ownAddresses: string[],
  options: DecryptAndVerifyOptions,
): Promise<DecryptionResult> {
  const binding = cards ? await cardBindingFor(cards, ownAddresses, options.message) : null;
  if (!cards || !binding) return decryptAndVerify(options);

  const decrypted = await cards.decrypt(binding.address, options.message as string, {
    verificationCertificates: options.verificationCertificates,
    expectedSignerAddress: options.expectedSignerAddress,
  });
  return {
    data: decrypted.data,
    decryptedWith: {
      // Lowercase hex, as decryptAndVerify reports fingerprints.
      subkeyFingerprint: decrypted.subkeyFingerprint.toLowerCase(),
      primaryFingerprint: binding.signatureFingerprint.toLowerCase(),
      postQuantum: false,
    },
    signatures: decrypted.signatures,
  };
}

/** Returns the binding whose card subkey the message is encrypted to, or null. */
async function cardBindingFor(
  cards: CardService,
  ownAddresses: string[],
  message: DecryptAndVerifyOptions['message'],
): Promise<CardBinding | null> {
  const bindings = ownAddresses
    .map((address) => cards.binding(address))
    .filter((binding): binding is CardBinding => binding !== null);
  if (bindings.length === 0 || typeof message !== 'string') return null;

  let keyIds: string[];
  try {
    const parsed = await readMessage({ armoredMessage: message });
    keyIds = parsed.getEncryptionKeyIDs().map((keyId) => keyId.toHex().toUpperCase());
  } catch {
    // decryptAndVerify reports the malformed message with its own error code.
    return null;
  }
  // A v4 key ID is the low 64 bits of the fingerprint (RFC 9580 section 5.5.4.2).
  return (
    bindings.find((binding) => keyIds.includes(binding.decryptionFingerprint.slice(-16))) ?? null
  );
}
