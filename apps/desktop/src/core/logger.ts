// The structured logger of the core services: pino, one named child per module. Secrets are
// redacted at the source, and addresses are logged only at debug level.

import { closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

const REDACTED_FIELDS = [
  'password',
  'passphrase',
  'secretKey',
  'sessionKey',
  'plaintext',
  'body',
  '*.password',
  '*.passphrase',
  '*.secretKey',
];

/**
 * Creates the root logger writing JSON lines to `<logs>/sealpost.log`. The file is readable by
 * the owner only (mode 0600, whatever the umask), like the database, and an existing file that
 * an older version left at 0644 is set to 0600.
 */
export function createLogger(logsFolder: string, level = process.env.SEALPOST_LOG_LEVEL): Logger {
  mkdirSync(logsFolder, { recursive: true, mode: 0o700 });
  const descriptor = openSync(path.join(logsFolder, 'sealpost.log'), 'a', 0o600);
  try {
    fchmodSync(descriptor, 0o600);
  } catch (error) {
    closeSync(descriptor);
    throw error;
  }
  // The destination owns the descriptor from here on and closes it with the stream.
  const destination = pino.destination({ fd: descriptor, sync: true });
  return pino({ level: level ?? 'info', redact: { paths: REDACTED_FIELDS } }, destination);
}

/** A logger that drops everything, for tests that do not inspect logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
