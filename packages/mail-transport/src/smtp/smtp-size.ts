// Reads the largest message size an SMTP server accepts: the SIZE parameter of its EHLO reply
// (RFC 1870 section 4), read after STARTTLS. The client connects and sends EHLO but does not log
// in, so the password is never sent. NOTE: nodemailer 10 parses SIZE into a private field
// (_maxAllowedSize), which this reads; a nodemailer upgrade must keep that field or change this.

import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { toSmtpError } from './smtp-errors.ts';
import { checkServerConfig, tlsOptions, type ServerConfig } from '../server-config.ts';

const CONNECTION_TIMEOUT_MS = 15_000;
const GREETING_TIMEOUT_MS = 30_000;
const EHLO_NAME = '[127.0.0.1]';

/**
 * Returns the SIZE limit in bytes the server announced, or null when it announced none or
 * "SIZE 0" (no fixed limit). Raises the same SMTP_* and TLS errors as sendMessage.
 */
export async function smtpMaxMessageSize(server: ServerConfig): Promise<number | null> {
  const checked = checkServerConfig(server);
  const connection = new SMTPConnection({
    host: checked.host,
    port: checked.port,
    secure: checked.security === 'tls',
    requireTLS: checked.security === 'starttls',
    ignoreTLS: false,
    tls: tlsOptions(checked),
    name: EHLO_NAME,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      connection.once('error', reject);
      connection.connect((error) => (error ? reject(error) : resolve()));
    });
    const size = (connection as unknown as { _maxAllowedSize?: unknown })._maxAllowedSize;
    return typeof size === 'number' && Number.isSafeInteger(size) && size > 0 ? size : null;
  } catch (error) {
    throw toSmtpError(error, checked);
  } finally {
    connection.close();
  }
}
