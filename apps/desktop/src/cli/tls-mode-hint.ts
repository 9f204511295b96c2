// Adds the likely fix to a connection error caused by implicit TLS (--imap-security or
// --smtp-security tls) against a port that speaks plain text first and offers STARTTLS: the
// TLS handshake then reads the server's greeting and OpenSSL reports a wrong version number.

import { TransportError } from '@sealpost/mail-transport';
import type { ServerSecurity } from '../core/accounts.ts';

const WRONG_VERSION = 'ERR_SSL_WRONG_VERSION_NUMBER';

/** Returns true when `error` or an error in its cause chain has the OpenSSL wrong-version code. */
function isWrongTlsVersion(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; originalCode?: unknown; cause?: unknown };
    if (record.code === WRONG_VERSION || record.originalCode === WRONG_VERSION) return true;
    current = record.cause;
  }
  return false;
}

/**
 * Returns `error` with the STARTTLS hint appended when an IMAP or SMTP connection with
 * security "tls" failed with a wrong TLS version. Any other error is returned unchanged.
 */
export function withTlsModeHint(
  error: unknown,
  security: { imap: ServerSecurity; smtp: ServerSecurity },
): unknown {
  if (!(error instanceof TransportError) || !isWrongTlsVersion(error)) return error;
  const protocol =
    error.code === 'IMAP_CONNECTION_FAILED'
      ? 'imap'
      : error.code === 'SMTP_CONNECTION_FAILED'
        ? 'smtp'
        : null;
  if (protocol === null || security[protocol] !== 'tls') return error;
  return new TransportError(
    error.code,
    `${error.message}; the server may expect STARTTLS on this port, so try --${protocol}-security starttls`,
    { cause: error },
  );
}
