// Import of an Autocrypt Setup Message (Autocrypt Level 1, section 4.4): the secret key that
// another Autocrypt client sent to its own account, symmetrically encrypted with a numeric
// setup code. The decrypted key is re-protected by Sealpost's keystore like any import; the
// decrypted armored text is held only in memory and dropped after the import.

import { decrypt, readMessage } from 'openpgp';
import { normalizeSetupCode, parseSetupMessage } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';
import type { ImportResult, KeyService } from './keys.ts';

/** Reads the setup message in `data` and returns the first digits of its setup code, if shown. */
export function setupCodeHint(data: Uint8Array): string | null {
  return parseSetupMessage(data).passphraseBegin;
}

/**
 * Decrypts the setup message with `setupCode` and imports the secret key it carries. Raises
 * SETUP_CODE_INVALID when the code does not decrypt it.
 */
export async function importSetupMessage(
  keys: KeyService,
  data: Uint8Array,
  setupCode: string,
): Promise<ImportResult[]> {
  const setup = parseSetupMessage(data);
  const passphrase = normalizeSetupCode(setupCode);
  let secretKeyBytes: Uint8Array;
  try {
    const message = await readMessage({ armoredMessage: setup.armoredMessage });
    const decrypted = await decrypt({ message, passwords: [passphrase], format: 'binary' });
    secretKeyBytes = decrypted.data as Uint8Array;
  } catch (error) {
    throw new CoreError(
      'SETUP_CODE_INVALID',
      `The setup code does not decrypt this setup message (${(error as Error).message}); ` +
        'check the 36 digits shown by the device that sent it.',
      { cause: error },
    );
  }
  try {
    return await keys.import(secretKeyBytes, { keyPassphrase: null, replacePinned: false });
  } finally {
    secretKeyBytes.fill(0);
  }
}
