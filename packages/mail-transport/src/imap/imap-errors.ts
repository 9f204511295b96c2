// Maps imapflow errors to TransportError codes. imapflow marks failed logins with
// `authenticationFailed`, missing mailboxes with `mailboxMissing` or the NONEXISTENT and
// TRYCREATE response codes (RFC 5530), and passes socket errors through with Node's codes.

import { errorCodes, isCertificateError, type ServerConfig } from '../server-config.ts';
import { TransportError } from '../transport-error.ts';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'STARTTLS_INJECTION',
  'ProxyError',
  'EPROXY',
]);

interface ImapFlowErrorFields {
  message?: string;
  authenticationFailed?: boolean;
  mailboxMissing?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  tlsFailed?: boolean;
}

function fieldsOf(error: unknown): ImapFlowErrorFields {
  return (typeof error === 'object' && error !== null ? error : {}) as ImapFlowErrorFields;
}

/** Converts an error raised while connecting or logging in. */
export function toImapConnectError(error: unknown, server: ServerConfig): TransportError {
  const endpoint = `${server.host}:${server.port}`;
  const details = fieldsOf(error);

  if (isCertificateError(error)) {
    return new TransportError(
      'TLS_CERTIFICATE_INVALID',
      `the TLS certificate of IMAP server ${endpoint} failed verification: check the host name, or pin the server's certificate`,
      { cause: error },
    );
  }
  if (details.authenticationFailed || details.serverResponseCode === 'AUTHENTICATIONFAILED') {
    return new TransportError(
      'IMAP_AUTH_FAILED',
      `IMAP login as ${server.user} at ${endpoint} failed: check the user name and password`,
      { cause: error },
    );
  }
  const codes = errorCodes(error);
  const reason = codes.length > 0 ? codes.join(', ') : (details.message ?? String(error));
  return new TransportError(
    'IMAP_CONNECTION_FAILED',
    `connecting to IMAP server ${endpoint} failed (${reason}): check host, port and security, and that the server is reachable`,
    { cause: error },
  );
}

/** Converts an error raised by a command on an open session. */
export function toImapCommandError(
  error: unknown,
  command: string,
  path: string | null,
): TransportError {
  if (error instanceof TransportError) return error;
  const details = fieldsOf(error);

  const missing =
    details.mailboxMissing ||
    details.serverResponseCode === 'NONEXISTENT' ||
    details.serverResponseCode === 'TRYCREATE';
  if (path !== null && missing) {
    return new TransportError(
      'FOLDER_NOT_FOUND',
      `IMAP folder ${JSON.stringify(path)} does not exist: list the folders with listFolders() and use one of their paths`,
      { cause: error },
    );
  }
  if (errorCodes(error).some((code) => CONNECTION_CODES.has(code))) {
    return new TransportError(
      'IMAP_CONNECTION_FAILED',
      `the IMAP connection was lost during ${command}: connect again and retry`,
      { cause: error },
    );
  }
  const reply = details.responseText
    ? `: server replied ${JSON.stringify(details.responseText)}`
    : '';
  return new TransportError(
    'IMAP_COMMAND_FAILED',
    `IMAP ${command}${path === null ? '' : ` on ${JSON.stringify(path)}`} failed${reply || `: ${details.message ?? String(error)}`}`,
    { cause: error },
  );
}
