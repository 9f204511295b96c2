// Benchmark helper, not a test: runs one full sync of a prepared data folder in its own process,
// then indexes the mail the sync queued for search. It prints one JSON line with the sync's
// seconds and peak RSS and the number of messages queued when the sync returned. The line also
// contains the indexing's seconds and the peak RSS of the whole run.
// Usage: node --import tsx bench/sync-run.ts HOME PASSPHRASE

import { performance } from 'node:perf_hooks';

import { createSilentLogger } from '../apps/desktop/src/core/logger.ts';
import { resolveDataPaths } from '../apps/desktop/src/core/paths.ts';
import { Sealpost } from '../apps/desktop/src/core/sealpost.ts';

const [home, passphrase] = process.argv.slice(2);
if (!home || !passphrase) throw new Error('usage: sync-run.ts HOME PASSPHRASE');

// maxRSS is in KiB on Linux.
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

const sealpost = await Sealpost.open(
  resolveDataPaths({ SEALPOST_HOME: home }),
  createSilentLogger(),
  { passphrase, preferPassphrase: true, keychain: null },
);
try {
  const started = performance.now();
  await sealpost.mail.sync({ account: null });
  const seconds = (performance.now() - started) / 1000;
  const syncMaxRssMiB = maxRssMiB();
  const inbox = sealpost.mail.folderSnapshot({ account: null, folder: 'INBOX' });
  const indexPendingAfterSync = sealpost.mail.searchIndexStatus().pending;

  const indexStarted = performance.now();
  const indexed = await sealpost.mail.indexPending();
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      maxRssMiB: syncMaxRssMiB,
      messages: inbox.messages.length,
      bodiesPending: inbox.bodiesPending,
      indexPendingAfterSync,
      indexed,
      indexSeconds,
      indexPendingAtEnd: sealpost.mail.searchIndexStatus().pending,
      totalMaxRssMiB: maxRssMiB(),
    })}\n`,
  );
} finally {
  sealpost.close();
}
