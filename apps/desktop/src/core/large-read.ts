// Opening a received message whose body is in an encrypted message file (message-files.ts).
// A PGP/MIME encrypted message (RFC 3156 section 4) is not loaded: its outer fields come from
// the stored header section, and its armored ciphertext part is streamed out of the file for
// decryptToSpool. Any other message is read into memory and parsed as a stored raw message is.

import type { ReceivedMessageFile } from '@sealpost/storage';
import { parseMessage } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';
import type { MessageFiles } from './message-files.ts';

type ParsedMessage = ReturnType<typeof parseMessage>;

/** Maximum line length in the MIME structure around the ciphertext (armor lines have 76). */
const MAX_LINE_BYTES = 64 * 1024;

/** Bytes of ciphertext collected from its lines before they go to the decryption. */
const CIPHERTEXT_SLICE_BYTES = 1024 * 1024;

/** A file-backed message: its parse, and for PGP/MIME a stream of the armored ciphertext. */
export interface OpenedFileMessage {
  parsed: ParsedMessage;
  /** Yields the armored ciphertext part's body, or null when `parsed` contains the whole message. */
  ciphertext: (() => AsyncIterable<Uint8Array>) | null;
}

/** Opens message file `file`, whose header section `header` is stored in the database. */
export async function openFileMessage(
  files: MessageFiles,
  file: ReceivedMessageFile,
  header: Uint8Array,
): Promise<OpenedFileMessage> {
  const boundary = pgpMimeBoundary(header);
  if (boundary === null) {
    // NOTE: large signed or plain mail is parsed in memory, so reading it still takes memory
    // of a few times its size.
    const parts: Buffer[] = [];
    for await (const part of files.read(file)) parts.push(part);
    return { parsed: parseMessage(Buffer.concat(parts)), ciphertext: null };
  }
  return {
    parsed: { ...parseHeaderSection(header), kind: 'pgp-mime-encrypted' },
    ciphertext: () => ciphertextPart(lines(files.read(file)), boundary),
  };
}

/**
 * Returns the boundary of a multipart/encrypted message with protocol application/pgp-encrypted,
 * or null for any other Content-Type.
 */
export function pgpMimeBoundary(header: Uint8Array): string | null {
  const contentType = unfoldedField(Buffer.from(header).toString('latin1'), 'content-type');
  if (contentType === null || !/^\s*multipart\/encrypted\s*;/i.test(contentType)) return null;
  const protocol = parameter(contentType, 'protocol');
  if (protocol?.toLowerCase() !== 'application/pgp-encrypted') return null;
  return parameter(contentType, 'boundary');
}

/**
 * Yields the body of the second part of a PGP/MIME multipart/encrypted body after checking that
 * the first part is application/pgp-encrypted (RFC 3156 section 4). A base64 ciphertext part
 * is decoded while it is read.
 */
async function* ciphertextPart(
  source: AsyncIterable<Buffer>,
  boundary: string,
): AsyncGenerator<Uint8Array> {
  const delimiter = `--${boundary}`;
  let state: 'header' | 'preamble' | 'part-header' | 'part-body' | 'done' = 'header';
  let part = 0;
  let partHeader = '';
  let decoder: Base64Lines | null = null;
  // Lines of the ciphertext, handed on in slices of about CIPHERTEXT_SLICE_BYTES.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const line of source) {
    const trimmed = line.toString('latin1').replace(/[ \t]*\r?\n$/, '');
    const isDelimiter = trimmed === delimiter || trimmed === `${delimiter}--`;

    if (state === 'header') {
      if (trimmed === '') state = 'preamble';
      continue;
    }
    if (isDelimiter) {
      if (state === 'part-body' && part === 2) {
        // The epilogue after the ciphertext part is not read.
        state = 'done';
        break;
      }
      if (trimmed.endsWith('--')) break;
      part += 1;
      partHeader = '';
      state = 'part-header';
      continue;
    }
    if (state === 'part-header') {
      if (trimmed !== '') {
        partHeader += `${trimmed}\n`;
        continue;
      }
      const base64 = checkPartHeader(part, partHeader) === 'base64';
      if (part === 2 && base64) decoder = new Base64Lines();
      state = 'part-body';
      continue;
    }
    if (state === 'part-body' && part === 2) {
      const data = decoder ? decoder.decode(line) : line;
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= CIPHERTEXT_SLICE_BYTES) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (decoder) pending.push(decoder.end());
  if (pending.length > 0) yield Buffer.concat(pending);
  if (state !== 'done') {
    throw malformed(`the message has no complete ciphertext part (part ${part} of 2 was last)`);
  }
}

/** Checks the header of body part `part` and returns its transfer encoding, 'identity' or 'base64'. */
function checkPartHeader(part: number, header: string): 'identity' | 'base64' {
  const contentType = unfoldedField(header, 'content-type')?.trim().toLowerCase() ?? 'text/plain';
  if (part === 1 && !contentType.startsWith('application/pgp-encrypted')) {
    throw malformed(`its first part is ${contentType}, not application/pgp-encrypted`);
  }
  if (part === 2) {
    if (contentType.startsWith('multipart/')) {
      throw malformed(`its ciphertext part is ${contentType}`);
    }
    const encoding = unfoldedField(header, 'content-transfer-encoding')?.trim().toLowerCase();
    if (encoding === 'base64') return 'base64';
    if (encoding !== undefined && !['7bit', '8bit', 'binary'].includes(encoding)) {
      // Armor is 7bit text already, so quoted-printable is not decoded here.
      throw malformed(`its ciphertext part has the transfer encoding ${encoding}`);
    }
  }
  if (part > 2) throw malformed('it has more than two parts');
  return 'identity';
}

/** Decodes base64 body lines (RFC 2045 section 6.8), carrying an incomplete quantum over. */
class Base64Lines {
  #rest = '';

  decode(line: Buffer): Buffer {
    const text = this.#rest + line.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
    const whole = text.length - (text.length % 4);
    this.#rest = text.slice(whole);
    return Buffer.from(text.slice(0, whole), 'base64');
  }

  /** Returns the last bytes; a quantum that is still incomplete is malformed. */
  end(): Buffer {
    if (this.#rest.length > 0) {
      throw malformed(`its base64 ciphertext part ends with ${this.#rest.length} extra characters`);
    }
    return Buffer.alloc(0);
  }
}

/** Splits a byte stream into lines that keep their line ending. */
async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    let data = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    let start = 0;
    for (;;) {
      const end = data.indexOf(0x0a, start);
      if (end === -1) break;
      yield data.subarray(start, end + 1);
      start = end + 1;
    }
    data = data.subarray(start);
    if (data.length > MAX_LINE_BYTES) {
      throw malformed(`a line is longer than ${MAX_LINE_BYTES} bytes`);
    }
    rest = Buffer.from(data);
  }
  if (rest.length > 0) yield rest;
}

/**
 * Reads the outer fields and Autocrypt headers from the header section. The Content-Type is
 * left out, because a multipart type without its body parts is malformed.
 */
function parseHeaderSection(header: Uint8Array): Omit<ParsedMessage, 'kind'> {
  const text = Buffer.from(header).toString('latin1');
  const withoutContentType = text.replace(/^content-type:.*\r?\n(?:[ \t].*\r?\n)*/gim, '');
  const { headers, autocryptHeaders } = parseMessage(Buffer.from(withoutContentType, 'latin1'));
  return { headers, autocryptHeaders };
}

function unfoldedField(text: string, name: string): string | null {
  const match = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(text);
  return match ? match[1]!.replace(/\r?\n[ \t]/g, ' ').trim() : null;
}

/** Reads a Content-Type parameter, quoted or not (RFC 2045 section 5.1). */
function parameter(field: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(
    field,
  );
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!;
}

function malformed(problem: string): CoreError {
  return new CoreError(
    'MIME_MALFORMED',
    `The stored PGP/MIME message is malformed: ${problem} (RFC 3156 section 4). ` +
      'Ask the sender to send it again.',
  );
}
