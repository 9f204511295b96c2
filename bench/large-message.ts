// Benchmark: sends one large attachment in OpenPGP mode through the local Postfix (with the Sent
// copy appended through Dovecot), then syncs, and then decrypts and saves it as the recipient. Each
// phase runs in its own process (bench/large-message-run.ts), so the peak resident memory is
// that of the phase alone. Sealpost rejects a message above the server's SIZE limit before it
// builds it. For such a size the benchmark builds the message file as a send does and appends
// it to Sent, so SMTP and the receive side are left out. Prints one JSON line per size. Needs
// the local mail stack.
// Usage: node --import tsx bench/large-message.ts [MiB ...]   (default: 50 200)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./large-message-run.ts', import.meta.url));
const sizes = process.argv.slice(2).map(Number);

function runPhase(phase: string, folder: string, mebibytes: number): Record<string, number> {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', runner, phase, folder, String(mebibytes)],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
}

for (const mebibytes of sizes.length > 0 ? sizes : [50, 200]) {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-bench-large-'));
  try {
    runPhase('setup', folder, mebibytes);
    const send = runPhase('send', folder, mebibytes);
    const growth = (phase: Record<string, number>, base: string) =>
      Math.round((phase['peakMiB']! - phase[base]!) * 10) / 10;
    const report: Record<string, unknown> = {
      attachmentMiB: mebibytes,
      sendGrowthMiB: growth(send, 'rssBeforeMiB'),
      sendGrowthAfterSmallMiB: growth(send, 'smallPeakMiB'),
      send,
    };
    if (send['tooLarge']) {
      // Too large for the server: the message file is built and appended to Sent instead.
      const build = runPhase('build', folder, mebibytes);
      const append = runPhase('append', folder, mebibytes);
      Object.assign(report, {
        buildGrowthMiB: growth(build, 'rssBeforeMiB'),
        buildGrowthAfterUnlockMiB: growth(build, 'unlockedPeakMiB'),
        appendGrowthMiB: growth(append, 'rssBeforeMiB'),
        build,
        append,
      });
    } else {
      const sync = runPhase('sync', folder, mebibytes);
      const read = runPhase('read', folder, mebibytes);
      Object.assign(report, {
        syncGrowthMiB: growth(sync, 'rssBeforeMiB'),
        readGrowthMiB: growth(read, 'rssBeforeMiB'),
        sync,
        read,
      });
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
