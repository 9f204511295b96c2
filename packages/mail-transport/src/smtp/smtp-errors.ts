// Maps nodemailer's SMTP errors (codes EAUTH, EENVELOPE, ECONNECTION, ...) to TransportError
// codes with messages that name the failure and the next step. The original error is kept
// as `cause`, and no message includes the password.

import { errorCodes, isCertificateError, type ServerConfig } from '../server-config.ts';
import { TransportError } from '../transport-error.ts';

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPROXY',
]);

interface NodemailerError {
  message?: string;
  response?: string;
  responseCode?: number;
  rejected?: unknown[];
  rejectedErrors?: Array<{ recipient?: string; response?: string; responseCode?: number }>;
}

/** RFC 5321 section 4.2.1: a 4yz reply is a transient failure, and only 5yz is final. */
function isTransientReply(code: number | undefined): boolean {
  return code !== undefined && code >= 400 && code < 500;
}

/**
 * Returns the codes to show for a connection failure. nodemailer replaces the socket's own code
 * (ECONNREFUSED, ERR_SSL_WRONG_VERSION_NUMBER, ...) with ESOCKET and keeps it as `originalCode`,
 * so that code is shown in place of ESOCKET.
 */
function socketCodes(error: unknown, codes: string[]): string[] {
  const original = (error as { originalCode?: unknown }).originalCode;
  if (typeof original !== 'string' || codes.includes(original)) return codes;
  return codes.map((code) => (code === 'ESOCKET' ? original : code));
}

/** Converts an error from nodemailer into a TransportError. */
export function toSmtpError(error: unknown, server: ServerConfig): TransportError {
  const endpoint = `${server.host}:${server.port}`;
  const codes = errorCodes(error);
  const details = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const reply = details.response ? ` (server replied: ${details.response})` : '';

  if (isCertificateError(error)) {
    return new TransportError(
      'TLS_CERTIFICATE_INVALID',
      `the TLS certificate of ${endpoint} failed verification: check the host name, or pin the server's certificate`,
      { cause: error },
    );
  }
  if (codes.includes('EAUTH') || codes.includes('ENOAUTH')) {
    return new TransportError(
      'SMTP_AUTH_FAILED',
      `SMTP login as ${server.user} at ${endpoint} failed${reply}: check the user name and password`,
      { cause: error },
    );
  }
  if (codes.includes('EENVELOPE')) {
    const rejected = (details.rejectedErrors ?? []).map(
      (item) => `${item.recipient ?? '?'}: ${item.response ?? 'rejected'}`,
    );
    const list =
      rejected.length > 0 ? rejected.join('; ') : (details.rejected ?? []).map(String).join(', ');
    // Without per-recipient replies the failed command was MAIL FROM, whose reply is on the error.
    const replies = details.rejectedErrors ?? [];
    const transient =
      replies.length > 0
        ? replies.every((item) => isTransientReply(item.responseCode))
        : isTransientReply(details.responseCode);
    if (transient) {
      return new TransportError(
        'SMTP_TEMPORARY_FAILURE',
        replies.length > 0
          ? `${endpoint} deferred the recipients ${list} with a temporary reply: try again later`
          : `${endpoint} deferred the sender with a temporary reply${reply}: try again later`,
        { cause: error },
      );
    }
    return new TransportError(
      'SMTP_RECIPIENT_REJECTED',
      `${endpoint} rejected the recipients ${list || details.message || ''}: check the addresses`,
      { cause: error },
    );
  }
  if (codes.some((code) => CONNECTION_CODES.has(code))) {
    return new TransportError(
      'SMTP_CONNECTION_FAILED',
      `connecting to SMTP server ${endpoint} failed (${socketCodes(error, codes).join(', ')}): check host, port and security, and that the server is reachable`,
      { cause: error },
    );
  }
  if (isTransientReply(details.responseCode)) {
    return new TransportError(
      'SMTP_TEMPORARY_FAILURE',
      `SMTP server ${endpoint} deferred the message with a temporary reply${reply}: try again later`,
      { cause: error },
    );
  }
  return new TransportError(
    'SMTP_MESSAGE_REJECTED',
    `SMTP server ${endpoint} did not accept the message${reply || `: ${details.message ?? String(error)}`}`,
    { cause: error },
  );
}
