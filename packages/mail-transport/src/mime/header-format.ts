// Header field writers for RFC 5322 messages: folding (section 2.2.3), mailboxes (section 3.4),
// dates (section 3.3), Message-ID (section 3.6.4), RFC 2047 encoded words and RFC 2231
// parameters. Every value is checked for CR and LF first, so no caller can inject a header field.

import { buildHeaderParam, encodeWords, foldLines, isPlainText } from 'nodemailer/lib/mime-funcs';

import { CRLF } from './bytes.ts';
import { assertArgument } from '../transport-error.ts';
import type { Mailbox, MailboxInput } from '../types.ts';

/** Line length that folding aims for, leaving room under the RFC 5322 limit of 78. */
const FOLD_LINE_LENGTH = 76;

/** Longest RFC 2047 encoded word that folding may keep on one line. */
const ENCODED_WORD_MAX_LENGTH = 52;

/** Longest RFC 2231 parameter section before it continues in the next section. */
const PARAMETER_SECTION_MAX_LENGTH = 50;

const ADDR_SPEC = /^[^\s<>(),;:"@\\[\]]+@[^\s<>(),;:"@\\[\]]+$/u;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Raises INVALID_ARGUMENT when a header value would break out of its field. */
export function assertHeaderSafe(label: string, value: string): void {
  assertArgument(
    !/[\r\n\0]/.test(value),
    `${label} contains a line break or NUL character: remove it before building the message`,
  );
}

/**
 * Formats one header field line `Name: value` folded at whitespace, without the final CRLF.
 * A folded line never ends in whitespace, because MTAs may strip it and break signatures.
 */
export function formatHeaderField(name: string, value: string): string {
  assertArgument(FIELD_NAME.test(name), `header field name ${JSON.stringify(name)} is invalid`);
  assertHeaderSafe(name, value);
  const folded = foldLines(`${name}: ${value.trim()}`, FOLD_LINE_LENGTH);
  return folded.replace(/[ \t]+(?=\r\n)/g, '').replace(/\r\n$/, '');
}

/** Formats a header field whose value is already folded with CRLF followed by whitespace. */
export function formatFoldedHeaderField(name: string, foldedValue: string): string {
  assertArgument(FIELD_NAME.test(name), `header field name ${JSON.stringify(name)} is invalid`);
  assertArgument(
    !/\r\n(?![ \t])|\r(?!\n)|(?<!\r)\n/.test(foldedValue),
    `${name} value has a line break that is not a fold (CRLF followed by whitespace)`,
  );
  return `${name}: ${foldedValue}`;
}

/** Encodes unstructured text (Subject) with RFC 2047 encoded words where it is not ASCII. */
export function encodeUnstructured(text: string): string {
  return encodeWords(text, 'Q', ENCODED_WORD_MAX_LENGTH);
}

/** Normalises a mailbox input and checks its address. */
export function toMailbox(input: MailboxInput, label: string): Mailbox {
  const mailbox = typeof input === 'string' ? { address: input } : input;
  assertArgument(
    typeof mailbox?.address === 'string' && ADDR_SPEC.test(mailbox.address),
    `${label} address ${JSON.stringify(mailbox?.address)} is invalid: expected local@domain`,
  );
  if (mailbox.name !== undefined && mailbox.name !== null) {
    assertArgument(typeof mailbox.name === 'string', `${label} name must be a string`);
    assertHeaderSafe(`${label} name`, mailbox.name);
  }
  return { address: mailbox.address, name: mailbox.name ?? null };
}

/** Formats a mailbox as `Name <address>`, or as the bare address when it has no name. */
export function formatMailbox(mailbox: Mailbox): string {
  const name = mailbox.name?.trim();
  if (!name) return mailbox.address;

  let displayName: string;
  if (!isPlainText(name)) {
    displayName = encodeWords(name, 'Q', ENCODED_WORD_MAX_LENGTH, true);
  } else if (/^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(name)) {
    displayName = name;
  } else {
    displayName = `"${name.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${displayName} <${mailbox.address}>`;
}

/** Formats a list of mailboxes, comma separated. */
export function formatMailboxList(mailboxes: Mailbox[]): string {
  return mailboxes.map(formatMailbox).join(', ');
}

/** Formats a date as an RFC 5322 date-time in UTC. */
export function formatDate(date: Date): string {
  assertArgument(
    date instanceof Date && !Number.isNaN(date.getTime()),
    `date ${String(date)} is invalid: pass a valid Date`,
  );
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** Formats a msg-id with angle brackets, accepting the id with or without them. */
export function formatMessageId(id: string, label: string): string {
  const bare = typeof id === 'string' ? id.trim().replace(/^<(.*)>$/, '$1') : '';
  assertArgument(
    /^[^\s<>@]+@[^\s<>@]+$/.test(bare),
    `${label} ${JSON.stringify(id)} is invalid: expected <left@right>`,
  );
  return `<${bare}>`;
}

/**
 * Formats a value with parameters, such as a Content-Type. ASCII values are quoted strings
 * (`hp="cipher"`), and other values use RFC 2231 sections (`filename*0*=utf-8''...`).
 */
export function formatParameterizedValue(
  value: string,
  parameters: Record<string, string>,
): string {
  const items = [value];
  for (const [key, parameter] of Object.entries(parameters)) {
    assertHeaderSafe(`parameter ${key}`, parameter);
    if (isPlainText(parameter, true)) {
      items.push(`${key}="${parameter.replace(/["\\]/g, '\\$&')}"`);
      continue;
    }
    for (const section of buildHeaderParam(key, parameter, PARAMETER_SECTION_MAX_LENGTH)) {
      items.push(`${section.key}=${section.value}`);
    }
  }
  return items.join('; ');
}

/** Joins header field lines into a header section ending with the empty line. */
export function headerSection(lines: string[]): string {
  return lines.join(CRLF) + CRLF + CRLF;
}
