// SMTP submission (RFC 6409) of a finished message through nodemailer: the raw bytes go out
// unchanged with an explicit envelope, so Bcc recipients exist only in RCPT TO. TLS is always
// required and verified; the password goes only to nodemailer's AUTH and is never logged.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

import { createTransport as createNodemailerTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer/lib/mailer';
import type { SMTPSentMessageInfo, SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';

import { toSmtpError } from './smtp-errors.ts';
import { readHeaderSection, firstFieldValue } from '../parse/header-section.ts';
import { checkServerConfig, tlsOptions, type ServerConfig } from '../server-config.ts';
import { assertArgument } from '../transport-error.ts';

export type SmtpServer = ServerConfig;

/** TCP connect budget. A reachable server completes the handshake in well under a second. */
const CONNECTION_TIMEOUT_MS = 15_000;

/** Wait for the 220 greeting: some servers delay it on purpose (e.g. Postfix postscreen) to deter spam bots. */
const GREETING_TIMEOUT_MS = 30_000;

/** Idle time allowed on an open connection; RFC 5321 section 4.5.3.2 has servers wait 5 minutes for a command. */
const SOCKET_TIMEOUT_MS = 5 * 60_000;

/** EHLO name: an address literal, so the local host name does not leak to the server. */
const EHLO_NAME = '[127.0.0.1]';

const ADDRESS = /^[^\s<>(),;:"@\\[\]]+@[^\s<>(),;:"@\\[\]]+$/u;

export interface SendMessageInput {
  server: SmtpServer;
  /** MAIL FROM and RCPT TO; put Bcc recipients here and nowhere else. */
  envelope: { from: string; to: string[] };
  /** The complete message, CRLF line breaks, as built by one of the build functions. */
  raw: Uint8Array | RawMessageFile;
}

/**
 * A complete message in a file, sent as a stream. nodemailer dot-stuffs it chunk by chunk
 * (RFC 5321 section 4.5.2). It announces `size` with the SIZE parameter of MAIL FROM
 * (RFC 1870), so a server with a lower limit rejects the message before any data is sent.
 */
export interface RawMessageFile {
  path: string;
  /** The file's length in bytes. */
  size: number;
}

/** Bytes of a message file read to find its header section. */
const HEADER_READ_BYTES = 64 * 1024;

export interface SendResult {
  accepted: string[];
  rejected: string[];
  /** The server's final reply, e.g. "250 2.0.0 Ok: queued as 4Q...". */
  response: string;
  /** Message-ID of the sent message, with angle brackets, when it has one. */
  messageId?: string;
}

function createTransport(
  server: SmtpServer,
): Transporter<SMTPSentMessageInfo, SMTPTransportOptions> {
  return createNodemailerTransport({
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    ignoreTLS: false,
    auth: { user: server.user, pass: server.password },
    tls: tlsOptions(server),
    name: EHLO_NAME,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/**
 * Sends `raw` to the envelope recipients. Resolves when the server accepted at least one
 * recipient; `rejected` then lists the others. Raises SMTP_RECIPIENT_REJECTED when all were
 * rejected, and SMTP_AUTH_FAILED, SMTP_CONNECTION_FAILED, TLS_CERTIFICATE_INVALID or
 * SMTP_MESSAGE_REJECTED for the other failures. A 4yz reply, which RFC 5321 section 4.2.1 makes
 * transient, raises SMTP_TEMPORARY_FAILURE instead of either REJECTED code.
 */
export async function sendMessage(input: SendMessageInput): Promise<SendResult> {
  assertArgument(
    typeof input === 'object' && input !== null,
    'sendMessage input must be an object',
  );
  const server = checkServerConfig(input.server);
  const envelope = checkEnvelope(input.envelope);
  const raw = input.raw;
  const isFile = !(raw instanceof Uint8Array);
  assertArgument(
    isFile
      ? typeof raw?.path === 'string' && Number.isSafeInteger(raw.size) && raw.size > 0
      : raw.length > 0,
    'raw must be a non-empty Uint8Array or { path, size } of a non-empty message file',
  );

  const head = isFile ? await readFileStart(raw.path, HEADER_READ_BYTES) : raw;
  const header = readHeaderSection(head, 0, head.length);
  assertArgument(
    !header.fields.some((field) => field.key === 'bcc'),
    'raw has a Bcc header field, which every recipient would see: remove it and keep Bcc recipients in envelope.to only',
  );
  const messageId = firstFieldValue(header.fields, 'message-id')?.match(/<[^<>\s]+>/)?.[0];

  const transport = createTransport(server);
  try {
    const info = await transport.sendMail(
      isFile
        ? { envelope: { ...envelope, size: raw.size }, raw: createReadStream(raw.path) }
        : { envelope, raw: Buffer.from(raw) },
    );
    const result: SendResult = {
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      response: info.response,
    };
    if (messageId) result.messageId = messageId;
    return result;
  } catch (error) {
    throw toSmtpError(error, server);
  } finally {
    transport.close();
  }
}

/** Connects, upgrades to TLS and logs in, to check settings before they are saved. */
export async function verifySmtpLogin(server: SmtpServer): Promise<void> {
  const checked = checkServerConfig(server);
  const transport = createTransport(checked);
  try {
    await transport.verify();
  } catch (error) {
    throw toSmtpError(error, checked);
  } finally {
    transport.close();
  }
}

/** Reads up to `length` bytes from the start of a file. */
async function readFileStart(path: string, length: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await file.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function checkEnvelope(envelope: SendMessageInput['envelope']): SendMessageInput['envelope'] {
  assertArgument(
    typeof envelope === 'object' && envelope !== null,
    'envelope must be an object with from and to',
  );
  assertArgument(
    typeof envelope.from === 'string' && ADDRESS.test(envelope.from),
    `envelope.from ${JSON.stringify(envelope.from)} is invalid: expected local@domain`,
  );
  assertArgument(
    Array.isArray(envelope.to) && envelope.to.length > 0,
    'envelope.to must list at least one recipient',
  );
  for (const [i, address] of envelope.to.entries()) {
    assertArgument(
      typeof address === 'string' && ADDRESS.test(address),
      `envelope.to[${i}] ${JSON.stringify(address)} is invalid: expected local@domain`,
    );
  }
  return { from: envelope.from, to: [...envelope.to] };
}
