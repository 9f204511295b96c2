// The "encrypt" and "decrypt" subcommands of sealpost-sop. Encryption goes to every
// recipient's ML-KEM-768+X25519 (RFC 9980) subkey when all of them have one, otherwise to
// the classical subkeys, and is signed only with --sign-with. Decryption releases plaintext
// only after crypto-core checked its integrity, and reports signatures by --verify-with.
import { readMessage } from 'openpgp';
import { decryptAndVerify, encryptAndSignWithPlan, type UnlockedKey } from '@sealpost/crypto-core';
import { dearmorBytes, isArmored, outputOf } from './armoring.ts';
import { SopError } from './errors.ts';
import { verificationLines, type SignatureWindow } from './signing.ts';

/** "encrypt": the message for the certificates, signed by at most one key. */
export async function encryptCommand(options: {
  data: Uint8Array;
  certificates: string[];
  signingKeys: readonly UnlockedKey[];
  noArmor: boolean;
}): Promise<Uint8Array> {
  if (options.signingKeys.length > 1) {
    // TODO: sign with several keys once crypto-core's encryptAndSign takes more than one.
    throw new SopError(
      'UNSUPPORTED_OPTION',
      `encrypt signs with at most one --sign-with key, got ${options.signingKeys.length}.`,
    );
  }
  const signingKey = options.signingKeys[0];
  const { message } = await encryptAndSignWithPlan({
    data: options.data,
    recipientCertificates: options.certificates,
    ...(signingKey ? { signingKey } : {}),
    encryptToSigner: false,
  });
  return outputOf(message, options.noArmor);
}

/** "decrypt": the plaintext and the verification lines of valid signatures (maybe none). */
export async function decryptCommand(options: {
  message: Uint8Array;
  keys: readonly UnlockedKey[];
  certificates: string[];
  window: SignatureWindow;
}): Promise<{ data: Uint8Array; verifications: string }> {
  await requireMessage(options.message);
  const result = await decryptAndVerify({
    message: options.message,
    decryptionKeys: [...options.keys],
    verificationCertificates: options.certificates,
  });
  return { data: result.data, verifications: verificationLines(result.signatures, options.window) };
}

/**
 * Checks that the input is an OpenPGP packet stream before decryption, so garbage fails with
 * BAD_DATA and only a real message that no key opens fails with CANNOT_DECRYPT.
 */
async function requireMessage(input: Uint8Array): Promise<void> {
  try {
    const binary = await dearmorBytes(input, 'Standard input');
    if (!isArmored(input) && binary.length === 0) throw new Error('the input is empty');
    await readMessage({ binaryMessage: binary });
  } catch (error) {
    if (error instanceof SopError) throw error;
    throw new SopError(
      'BAD_DATA',
      `Standard input is not an OpenPGP message (${(error as Error).message}).`,
      { cause: error },
    );
  }
}
