// The back end both front ends share: the data folder (SEALPOST_HOME or the platform's),
// its logger and an AppSession, from which each front end builds the MailApi handler table.

import { AppSession } from '../core/app-session.ts';
import type { Keychain } from '../core/keystore/keychain.ts';
import { createLogger } from '../core/logger.ts';
import type { Logger } from '../core/logger.ts';
import { ensureDataPaths, resolveDataPaths } from '../core/paths.ts';

export interface AppBackend {
  session: AppSession;
  log: Logger;
}

export function openAppBackend(
  options: { env?: NodeJS.ProcessEnv; keychain?: Keychain | null } = {},
): AppBackend {
  const paths = resolveDataPaths(options.env ?? process.env);
  ensureDataPaths(paths);
  const log = createLogger(paths.logs);
  const session = new AppSession({
    paths,
    log,
    ...(options.keychain === undefined ? {} : { keychain: options.keychain }),
  });
  return { session, log };
}
