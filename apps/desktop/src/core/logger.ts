// The structured logger of the core services: pino, one named child per module. Secrets are
// redacted at the source, and addresses are logged only at debug level.

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

/** Creates the root logger writing JSON lines to `<logs>/sealpost.log`. */
export function createLogger(logsFolder: string, level = process.env.SEALPOST_LOG_LEVEL): Logger {
  const destination = pino.destination({
    dest: path.join(logsFolder, 'sealpost.log'),
    mkdir: true,
    sync: true,
  });
  return pino({ level: level ?? 'info', redact: { paths: REDACTED_FIELDS } }, destination);
}

/** A logger that drops everything, for tests that do not inspect logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
