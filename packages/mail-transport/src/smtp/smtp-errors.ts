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
  rejected?: unknown[];
  rejectedErrors?: Array<{ recipient?: string; response?: string }>;
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
    return new TransportError(
      'SMTP_RECIPIENT_REJECTED',
      `${endpoint} rejected the recipients ${list || details.message || ''}: check the addresses`,
      { cause: error },
    );
  }
  if (codes.some((code) => CONNECTION_CODES.has(code))) {
    return new TransportError(
      'SMTP_CONNECTION_FAILED',
      `connecting to SMTP server ${endpoint} failed (${codes.join(', ')}): check host, port and security, and that the server is reachable`,
      { cause: error },
    );
  }
  return new TransportError(
    'SMTP_MESSAGE_REJECTED',
    `SMTP server ${endpoint} did not accept the message${reply || `: ${details.message ?? String(error)}`}`,
    { cause: error },
  );
}
