// Benchmark helper, not a test: runs one full sync of a prepared data folder in its own process
// and prints {"seconds", "maxRssMiB", "messages"} as JSON, so the parent can compare it with a
// peer and read the peak resident memory of the sync alone.
// Usage: node --import tsx bench/sync-run.ts HOME PASSPHRASE

import { performance } from 'node:perf_hooks';

import { createSilentLogger } from '../apps/desktop/src/core/logger.ts';
import { resolveDataPaths } from '../apps/desktop/src/core/paths.ts';
import { Sealpost } from '../apps/desktop/src/core/sealpost.ts';

const [home, passphrase] = process.argv.slice(2);
if (!home || !passphrase) throw new Error('usage: sync-run.ts HOME PASSPHRASE');

const sealpost = await Sealpost.open(
  resolveDataPaths({ SEALPOST_HOME: home }),
  createSilentLogger(),
  { passphrase, preferPassphrase: true, keychain: null },
);
try {
  const started = performance.now();
  await sealpost.mail.sync({ account: null });
  const seconds = (performance.now() - started) / 1000;
  const inbox = sealpost.mail.folderSnapshot({ account: null, folder: 'INBOX' });
  // maxRSS is in KiB on Linux.
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ seconds, maxRssMiB, messages: inbox.messages.length, bodiesPending: inbox.bodiesPending })}\n`,
  );
} finally {
  sealpost.close();
}
