// Connection settings shared by IMAP and SMTP: validation at the boundary and the TLS options.
// Certificates are always verified. A pinned certificate (PEM) replaces the system CAs as the
// only trust anchor. There is deliberately no switch that turns verification off.

import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

import { assertArgument } from './transport-error.ts';

export interface ServerConfig {
  host: string;
  port: number;
  /** 'starttls': plain connect, then STARTTLS is required. 'tls': TLS from the first byte. */
  security: 'starttls' | 'tls';
  user: string;
  password: string;
  /** PEM certificate to trust instead of the system CAs, e.g. a self-signed server certificate. */
  pinnedCertificate?: string;
}

const SERVER_KEYS = ['host', 'port', 'security', 'user', 'password', 'pinnedCertificate'];

/** Validates server settings. Messages name the field but never echo the password. */
export function checkServerConfig(
  server: ServerConfig,
  extraKeys: ReadonlyArray<string> = [],
): ServerConfig {
  assertArgument(
    typeof server === 'object' && server !== null,
    'server settings must be an object',
  );
  for (const key of Object.keys(server)) {
    assertArgument(
      SERVER_KEYS.includes(key) || extraKeys.includes(key),
      `server.${key} is not a supported setting: use ${[...SERVER_KEYS, ...extraKeys].join(', ')}`,
    );
  }
  assertArgument(
    typeof server.host === 'string' && /^[^\s/]+$/.test(server.host),
    `server.host ${JSON.stringify(server.host)} is invalid: expected a host name or IP address`,
  );
  assertArgument(
    Number.isInteger(server.port) && server.port >= 1 && server.port <= 65535,
    `server.port ${JSON.stringify(server.port)} is invalid: expected an integer from 1 to 65535`,
  );
  assertArgument(
    server.security === 'starttls' || server.security === 'tls',
    `server.security ${JSON.stringify(server.security)} is invalid: use 'starttls' or 'tls'`,
  );
  assertArgument(
    typeof server.user === 'string' && server.user.length > 0,
    'server.user is missing',
  );
  assertArgument(typeof server.password === 'string', 'server.password must be a string');
  assertArgument(
    server.pinnedCertificate === undefined ||
      (typeof server.pinnedCertificate === 'string' &&
        server.pinnedCertificate.includes('-----BEGIN CERTIFICATE-----')),
    'server.pinnedCertificate is not a PEM certificate: expected text starting with -----BEGIN CERTIFICATE-----',
  );
  return server;
}

/** TLS options for Node's tls.connect: verification on, TLS 1.2 or later, optional pinned CA. */
export function tlsOptions(server: ServerConfig): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  if (server.pinnedCertificate !== undefined) options.ca = [server.pinnedCertificate];
  // SNI takes host names only (RFC 6066 section 3), so an IP address is checked against the SAN alone.
  if (isIP(server.host) === 0) options.servername = server.host;
  return options;
}

/** Error codes of Node's TLS layer (OpenSSL verify results and Node's host name check). */
const CERTIFICATE_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Returns true when `error`, or an error in its cause chain, is a certificate verification failure. */
export function isCertificateError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      _err?: unknown;
    };
    if (typeof record.code === 'string' && CERTIFICATE_ERROR_CODES.has(record.code)) return true;
    if (
      typeof record.message === 'string' &&
      /self[- ]signed certificate|unable to verify the first certificate|certificate has expired|Hostname\/IP does not match certificate/i.test(
        record.message,
      )
    ) {
      return true;
    }
    current = record.cause ?? record._err;
  }
  return false;
}

/** Returns every string `code` in the cause chain of `error`, outermost first. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; cause?: unknown; _err?: unknown };
    if (typeof record.code === 'string') codes.push(record.code);
    current = record.cause ?? record._err;
  }
  return codes;
}
