// The Autocrypt Setup Message (Autocrypt Level 1, section 4.4): a message to oneself with an
// `Autocrypt-Setup-Message: v1` header whose application/autocrypt-setup attachment carries an
// armored, symmetrically encrypted OpenPGP message. The armor headers say the passphrase is
// a numeric setup code of nine blocks of four digits (Passphrase-Format: numeric9x4) and
// show its first two digits (Passphrase-Begin). Decryption is left to the OpenPGP layer.

import { TransportError } from '../transport-error.ts';
import { parseEntity } from '../parse/parse-entity.ts';

export interface SetupMessage {
  /** The armored OpenPGP message, as found. */
  armoredMessage: string;
  passphraseFormat: string | null;
  /** The first digits of the setup code shown to help the user pick the right one, or null. */
  passphraseBegin: string | null;
}

const ARMOR_BEGIN = '-----BEGIN PGP MESSAGE-----';
const ARMOR_END = '-----END PGP MESSAGE-----';
const SETUP_CONTENT_TYPE = 'application/autocrypt-setup';

/**
 * Finds the encrypted setup data in a whole setup message, in its saved attachment, or in a
 * bare armored block. Raises SETUP_MESSAGE_INVALID when none is present.
 */
export function parseSetupMessage(data: Uint8Array): SetupMessage {
  if (!(data instanceof Uint8Array)) {
    throw new TransportError('INVALID_ARGUMENT', 'The setup message must be a Uint8Array.');
  }
  const attachment = findSetupAttachment(data);
  const text = Buffer.from(attachment ?? data).toString('utf8');

  const begin = text.indexOf(ARMOR_BEGIN);
  const end = begin < 0 ? -1 : text.indexOf(ARMOR_END, begin);
  if (begin < 0 || end < 0) {
    throw new TransportError(
      'SETUP_MESSAGE_INVALID',
      'No Autocrypt Setup Message was found: expected an application/autocrypt-setup attachment ' +
        `or an armored block starting with "${ARMOR_BEGIN}". Pass the message as saved from the mail client.`,
    );
  }
  const armoredMessage = `${text.slice(begin, end + ARMOR_END.length).replace(/\r\n/g, '\n')}\n`;
  const armorHeaders = readArmorHeaders(armoredMessage);
  const passphraseFormat = armorHeaders.get('passphrase-format') ?? null;
  if (passphraseFormat !== null && passphraseFormat !== 'numeric9x4') {
    throw new TransportError(
      'SETUP_MESSAGE_INVALID',
      `The setup message uses Passphrase-Format ${passphraseFormat}; only numeric9x4 is defined by Autocrypt Level 1.`,
    );
  }
  const passphraseBegin = armorHeaders.get('passphrase-begin') ?? null;
  return { armoredMessage, passphraseFormat, passphraseBegin };
}

/**
 * Normalizes a setup code typed by the user to the form used as the passphrase: 36 digits
 * in nine dash-separated blocks of four. Spaces and dashes in the input are ignored.
 */
export function normalizeSetupCode(code: string): string {
  const digits = typeof code === 'string' ? code.replace(/[\s-]/g, '') : '';
  if (!/^\d{36}$/.test(digits)) {
    throw new TransportError(
      'INVALID_ARGUMENT',
      `A setup code has 36 digits (nine blocks of four), got ${digits.length} digit(s); type it again.`,
    );
  }
  return digits.match(/\d{4}/g)!.join('-');
}

function findSetupAttachment(data: Uint8Array): Uint8Array | null {
  let entity;
  try {
    entity = parseEntity(data);
  } catch {
    // Not a MIME entity: the input may be the saved attachment or the armored block itself.
    return null;
  }
  const attachment = entity.attachments.find(
    (part) => part.contentType.toLowerCase() === SETUP_CONTENT_TYPE,
  );
  return attachment?.content ?? null;
}

function readArmorHeaders(armored: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of armored.split('\n').slice(1)) {
    if (line.trim() === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) break;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}
