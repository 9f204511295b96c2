// Password-encrypted OpenPGP messages (RFC 9580 section 5.3, SKESK v4 with iterated and salted
// S2K, and SEIPDv1), the form that "gpg --decrypt" reads with the password as passphrase.
// The password is the only protection, so callers must pass a high-entropy one, such as a
// generated recovery code, never a memorised password.
import { createMessage, decrypt, encrypt, readMessage } from 'openpgp';
import { openpgpConfig } from './config.ts';
import { CryptoError, describeError } from './errors.ts';
import { decodeOpenPgpData, requireString, type OpenPgpData } from './input.ts';

/** Encrypts `data` with `password` and returns the armored message. */
export async function encryptWithPassword(data: Uint8Array, password: string): Promise<string> {
  requireString(password, 'password');
  try {
    const message = await createMessage({ binary: data, format: 'binary' });
    return await encrypt({
      message,
      passwords: [password],
      format: 'armored',
      config: openpgpConfig,
    });
  } catch (error) {
    throw new CryptoError('ENCRYPT_FAILED', `Password encryption failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/**
 * Decrypts a password-encrypted message and returns its literal data. Raises MESSAGE_MALFORMED
 * when `data` is no readable OpenPGP message and INVALID_PASSPHRASE when the password does not
 * decrypt it or the integrity check fails.
 */
export async function decryptWithPassword(
  data: OpenPgpData,
  password: string,
): Promise<Uint8Array> {
  requireString(password, 'password');
  const decoded = decodeOpenPgpData(data, 'message');
  let message;
  try {
    message =
      'armored' in decoded
        ? await readMessage({ armoredMessage: decoded.armored, config: openpgpConfig })
        : await readMessage({ binaryMessage: decoded.binary, config: openpgpConfig });
  } catch (error) {
    throw new CryptoError(
      'MESSAGE_MALFORMED',
      `The data is not a readable OpenPGP message: ${describeError(error)}`,
      { cause: error },
    );
  }

  try {
    const result = await decrypt({
      message,
      passwords: [password],
      format: 'binary',
      config: openpgpConfig,
    });
    return result.data as Uint8Array;
  } catch (error) {
    // openpgp.js reports a wrong password and a failed integrity check alike: neither can be
    // told apart from the outside without the right password.
    throw new CryptoError(
      'INVALID_PASSPHRASE',
      `The password does not decrypt this message, or the message was altered: ${describeError(error)}`,
      { cause: error },
    );
  }
}
