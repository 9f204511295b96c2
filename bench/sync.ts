// Benchmark of the initial sync, not a test. It loads 10,000 realistic messages into the INBOX
// of a new t-bench-... user of the local Dovecot (bench/sync-corpus.ts), then syncs that folder
// with Sealpost (headers and bodies into the encrypted store, with search indexing) and with
// mbsync (isync) into a Maildir, two rounds each, alternating, in the same run. Prints JSON;
// the figure is the ratio of Sealpost's time to mbsync's. Sealpost's time is the sync alone:
// search indexing runs after it and is reported apart (indexSeconds, indexPendingAtEnd).
// Run: pnpm bench:sync, or BENCH_USER=t-bench-...@sealpost.test pnpm bench:sync to reuse the
// corpus of an earlier run. BENCH_ROUNDS sets the number of rounds (2 by default).
// Needs the local mail stack (bash scripts/mail-stack up) and root to write the Maildir files.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { createSyncHome } from '../apps/desktop/test/sync/sync-fixtures.ts';
import { buildCorpus, existingCorpus, repositoryRoot, STACK_CERTIFICATE } from './sync-corpus.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

/** Runs bench/sync-run.ts on a fresh data folder for `address`; returns its JSON line. */
export async function sealpostSync(address: string): Promise<{
  seconds: number;
  maxRssMiB: number;
  messages: number;
  bodiesPending: number;
  indexPendingAfterSync: number;
  indexSeconds: number;
  indexPendingAtEnd: number;
  totalMaxRssMiB: number;
}> {
  const home = await createSyncHome(address);
  try {
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repositoryRoot, 'bench', 'sync-run.ts'),
        home.home,
        home.passphrase,
      ],
      { cwd: repositoryRoot, encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    return JSON.parse(output.trim().split('\n').at(-1)!) as Awaited<
      ReturnType<typeof sealpostSync>
    >;
  } finally {
    home.remove();
  }
}

/** Syncs the INBOX of `address` with mbsync into a new Maildir; returns seconds and the count. */
export function mbsyncSync(address: string): { seconds: number; messages: number } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-mbsync-'));
  try {
    const config = path.join(folder, 'mbsyncrc');
    const local = path.join(folder, 'mail');
    writeFileSync(
      config,
      [
        'IMAPAccount bench',
        // mbsync 1.4 matches the certificate's DNS names only, not its IP address entry;
        // /etc/hosts maps localhost to 127.0.0.1.
        'Host localhost',
        'Port 1143',
        `User ${address}`,
        `Pass sealpost-${address.split('@')[0]}`,
        'SSLType STARTTLS',
        `CertificateFile ${STACK_CERTIFICATE}`,
        '',
        'IMAPStore remote',
        'Account bench',
        '',
        'MaildirStore local',
        `Path ${local}/`,
        `Inbox ${local}/INBOX`,
        '',
        'Channel bench',
        'Far :remote:',
        'Near :local:',
        'Patterns INBOX',
        'Create Near',
        'Sync Pull',
        `SyncState ${folder}/state/`,
        '',
      ].join('\n'),
    );
    execFileSync('mkdir', ['-p', `${local}`, `${folder}/state`]);
    const started = performance.now();
    execFileSync('mbsync', ['-q', '-c', config, 'bench'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const seconds = (performance.now() - started) / 1000;
    const messages = Number(
      execFileSync('sh', ['-c', `ls "${local}/INBOX/cur" "${local}/INBOX/new" | grep -c ,`], {
        encoding: 'utf8',
      }).trim(),
    );
    return { seconds, messages };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runId = Date.now().toString(36);
  const corpus = process.env.BENCH_USER
    ? await existingCorpus(process.env.BENCH_USER)
    : await buildCorpus(`sync-${runId}`, MESSAGES, { seed: 1, encryptedShare: 0.03 });
  corpus.home.remove();

  const rounds: Array<{
    /** The 1-minute load average before the round; the machine is shared with other work. */
    loadAverage: number;
    mbsync: ReturnType<typeof mbsyncSync>;
    sealpost: Awaited<ReturnType<typeof sealpostSync>>;
  }> = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const loadAverage = os.loadavg()[0]!;
    const mbsync = mbsyncSync(corpus.address);
    const sealpost = await sealpostSync(corpus.address);
    rounds.push({ loadAverage, mbsync, sealpost });
    process.stderr.write(`round ${round + 1}: ${JSON.stringify(rounds.at(-1))}\n`);
  }
  const best = (values: number[]) => Math.min(...values);
  const sealpostBest = best(rounds.map((round) => round.sealpost.seconds));
  const mbsyncBest = best(rounds.map((round) => round.mbsync.seconds));
  process.stdout.write(
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cpus: os.cpus().length,
          model: os.cpus()[0]?.model,
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
        },
        corpus: {
          messages: corpus.messages,
          encrypted: corpus.encrypted,
          MiB: Math.round(corpus.bytes / 2 ** 20),
        },
        rounds,
        sealpostSeconds: sealpostBest,
        mbsyncSeconds: mbsyncBest,
        ratio: sealpostBest / mbsyncBest,
      },
      null,
      2,
    )}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
