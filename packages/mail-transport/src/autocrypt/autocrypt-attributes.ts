// Attribute syntax shared by the Autocrypt and Autocrypt-Gossip headers (Autocrypt Level 1,
// section "The Autocrypt Header"): `name=value` pairs separated by semicolons, keydata last.
// Names with a leading underscore are non-critical and skipped. Any other unknown name makes
// the whole header invalid, so a future critical attribute is never silently misread.

import { CRLF } from '../mime/bytes.ts';
import { assertArgument } from '../transport-error.ts';

/** Maximum length of base64 keydata in one header, far above the size of a transferable public key. */
const MAX_KEYDATA_BASE64_LENGTH = 512 * 1024;

/** Width of a keydata line: a leading space plus 76 characters stays under 78. */
const KEYDATA_LINE_LENGTH = 76;

/** Maximum header line length this formatter aims for (RFC 5322 section 2.1.1). */
const MAX_LINE_LENGTH = 78;

const ADDR = /^[^\s<>(),;:"@\\[\]=]+@[^\s<>(),;:"@\\[\]=]+$/u;

export interface AutocryptAttributes {
  addr: string;
  preferEncrypt: string | null;
  keydata: Uint8Array;
}

/**
 * Parses one header value. Returns null when the value is invalid: a missing addr or keydata,
 * a repeated or unknown critical attribute, or keydata that is not base64.
 */
export function parseAutocryptAttributes(
  value: string,
  knownAttributes: ReadonlyArray<string>,
): AutocryptAttributes | null {
  if (typeof value !== 'string') return null;

  const attributes = new Map<string, string>();
  for (const item of value.split(';')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;

    const equals = trimmed.indexOf('=');
    if (equals <= 0) return null;
    const name = trimmed.slice(0, equals).trim().toLowerCase();
    const attributeValue = trimmed.slice(equals + 1).trim();

    if (name.startsWith('_')) continue;
    if (!knownAttributes.includes(name) || attributes.has(name)) return null;
    attributes.set(name, attributeValue);
  }

  const addr = attributes.get('addr');
  const keydataBase64 = attributes.get('keydata')?.replace(/\s+/g, '');
  if (!addr || !ADDR.test(addr) || !keydataBase64) return null;
  if (keydataBase64.length > MAX_KEYDATA_BASE64_LENGTH) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keydataBase64) || keydataBase64.length % 4 === 1) return null;

  const keydata = new Uint8Array(Buffer.from(keydataBase64, 'base64'));
  if (keydata.length === 0) return null;

  return {
    addr: addr.toLowerCase(),
    preferEncrypt: attributes.get('prefer-encrypt') ?? null,
    keydata,
  };
}

/**
 * Formats a header value: the attributes, then keydata folded into lines of 76 base64
 * characters, so every line of `fieldName: value` stays within 78 characters. An attribute
 * cannot be folded inside, so an addr of more than about 60 characters makes a longer line.
 */
export function formatAutocryptAttributes(
  fieldName: string,
  attributes: ReadonlyArray<[string, string]>,
  keydata: Uint8Array,
): string {
  assertArgument(
    keydata instanceof Uint8Array && keydata.length > 0,
    'keydata must be a non-empty Uint8Array',
  );
  for (const [name, value] of attributes) {
    assertArgument(
      name !== 'addr' || ADDR.test(value),
      `Autocrypt addr ${JSON.stringify(value)} is invalid: expected a bare address local@domain`,
    );
  }

  // Attributes go on the first line while they fit, then each starts a folded line of its own.
  const tokens = [...attributes.map(([name, value]) => `${name}=${value};`), 'keydata='];
  const headLines: string[] = [];
  let line = `${fieldName}:`;
  for (const token of tokens) {
    if (line.length + 1 + token.length > MAX_LINE_LENGTH && line.trim() !== `${fieldName}:`) {
      headLines.push(line);
      line = '';
    }
    line += ` ${token}`;
  }
  headLines.push(line);

  const base64 = Buffer.from(keydata).toString('base64');
  const keydataLines: string[] = [];
  for (let i = 0; i < base64.length; i += KEYDATA_LINE_LENGTH) {
    keydataLines.push(' ' + base64.slice(i, i + KEYDATA_LINE_LENGTH));
  }

  const folded = [...headLines, ...keydataLines].join(CRLF);
  return folded.slice(`${fieldName}: `.length);
}
