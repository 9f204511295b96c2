// The Autocrypt header of Autocrypt Level 1 (https://autocrypt.org/level1.html): writing it for
// outgoing mail and choosing the one valid header of an incoming message. The keydata is
// returned as bytes and not checked as OpenPGP here, so the caller's OpenPGP layer must do that.

import { formatAutocryptAttributes, parseAutocryptAttributes } from './autocrypt-attributes.ts';
import { assertArgument } from '../transport-error.ts';
import type { AutocryptHeaderFields } from '../types.ts';

const AUTOCRYPT_ATTRIBUTES = ['addr', 'prefer-encrypt', 'keydata'];

export interface AutocryptHeader {
  /** The addr attribute, lowercased. */
  addr: string;
  preferEncrypt: 'mutual' | 'nopreference';
  keydata: Uint8Array;
}

/**
 * Formats the value of an Autocrypt header (without the `Autocrypt: ` name), folded so that
 * `Autocrypt: value` has lines of at most 78 characters.
 */
export function formatAutocryptHeader(fields: AutocryptHeaderFields): string {
  assertArgument(
    typeof fields === 'object' && fields !== null,
    'Autocrypt fields must be an object',
  );
  assertArgument(
    fields.preferEncrypt === undefined ||
      fields.preferEncrypt === 'mutual' ||
      fields.preferEncrypt === 'nopreference',
    `Autocrypt preferEncrypt ${JSON.stringify(fields.preferEncrypt)} is invalid: use 'mutual' or 'nopreference'`,
  );

  const attributes: Array<[string, string]> = [['addr', fields.addr]];
  // Level 1 defines only the value "mutual". Leaving the attribute out means "nopreference".
  if (fields.preferEncrypt === 'mutual') attributes.push(['prefer-encrypt', 'mutual']);
  return formatAutocryptAttributes('Autocrypt', attributes, fields.keydata);
}

/**
 * Picks the sender's Autocrypt header from a message's Autocrypt header values. Headers whose
 * addr differs from `fromAddress` (compared case-insensitively) are invalid. Returns null
 * when no valid header remains, and also when more than one does, as Level 1 requires.
 */
export function parseAutocryptHeaders(
  values: ReadonlyArray<string>,
  fromAddress: string,
): AutocryptHeader | null {
  if (!Array.isArray(values) || typeof fromAddress !== 'string') return null;
  const from = fromAddress.trim().toLowerCase();

  const valid: AutocryptHeader[] = [];
  for (const value of values) {
    const attributes = parseAutocryptAttributes(value, AUTOCRYPT_ATTRIBUTES);
    if (!attributes || attributes.addr !== from) continue;
    valid.push({
      addr: attributes.addr,
      preferEncrypt: attributes.preferEncrypt === 'mutual' ? 'mutual' : 'nopreference',
      keydata: attributes.keydata,
    });
  }
  return valid.length === 1 ? (valid[0] as AutocryptHeader) : null;
}
