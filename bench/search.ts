// Benchmark of search, not a test. It loads 100,000 realistic messages into the INBOX of a new
// t-bench-... user of the local Dovecot (bench/sync-corpus.ts) and syncs them with Sealpost in
// a child process, for time and peak RSS. It indexes the same Maildir with notmuch and runs the
// same seeded queries against both in the same run. It prints JSON with the p50 and p95 latency
// of `sealpost.mail.search` in-process and of one `notmuch search` process per query.
// Run: pnpm bench:search (needs the local mail stack and root to write the Maildir files).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { mulberry32 } from '../apps/desktop/test/sync/cutting-proxy.ts';
import { buildCorpus, repositoryRoot } from './sync-corpus.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const LIMIT = 50;

const WORDS = [
  'budget',
  'harbour',
  'invoice',
  'glacier',
  'saffron',
  'lighthouse',
  'violin',
  'kernel',
  'payroll',
  'orchard',
];

interface Query {
  /** Sealpost search request. */
  text?: string;
  from?: string;
  /** The same query in notmuch syntax. */
  notmuch: string;
}

export function queries(seed: number): Query[] {
  const random = mulberry32(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const list: Query[] = [];
  for (let index = 0; index < QUERIES; index += 1) {
    const kind = index % 4;
    if (kind === 0) {
      const word = pick();
      list.push({ text: word, notmuch: word });
    } else if (kind === 1) {
      const [first, second] = [pick(), pick()];
      list.push({ text: `${first} ${second}`, notmuch: `${first} and ${second}` });
    } else if (kind === 2) {
      // Sealpost matches the last word as a prefix; notmuch needs the explicit wildcard.
      const word = pick().slice(0, 4);
      list.push({ text: word, notmuch: `${word}*` });
    } else {
      const sender = `person${Math.floor(random() * 400)}@example.org`;
      list.push({ from: sender, notmuch: `from:${sender}` });
    }
  }
  return list;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summary(values: number[]): { p50: number; p95: number; max: number } {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
  };
}

async function main(): Promise<void> {
  const runId = Date.now().toString(36);
  const corpus = await buildCorpus(`search-${runId}`, MESSAGES, {
    seed: 2,
    encryptedShare: 0.03,
  });

  // Sealpost: full sync in a child process, for its time and peak memory alone.
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repositoryRoot, 'bench', 'sync-run.ts'),
      corpus.home.home,
      corpus.home.passphrase,
    ],
    { cwd: repositoryRoot, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  const sync = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
  process.stderr.write(`sealpost sync: ${JSON.stringify(sync)}\n`);

  // notmuch: its own database next to the Dovecot Maildir, which it only reads.
  const notmuchFolder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-notmuch-'));
  const config = path.join(notmuchFolder, 'config');
  writeFileSync(
    config,
    [
      '[database]',
      `path=${path.join(notmuchFolder, 'db')}`,
      `mail_root=${corpus.maildir}`,
      '[new]',
      'tags=inbox',
      '[maildir]',
      // Off, so notmuch never renames Dovecot's files.
      'synchronize_flags=false',
      '',
    ].join('\n'),
  );
  mkdirSync(path.join(notmuchFolder, 'db'));
  const env = { ...process.env, NOTMUCH_CONFIG: config };
  const indexStarted = performance.now();
  execFileSync('notmuch', ['new', '--quiet'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const notmuchIndexSeconds = (performance.now() - indexStarted) / 1000;

  const { createSilentLogger } = await import('../apps/desktop/src/core/logger.ts');
  const { resolveDataPaths } = await import('../apps/desktop/src/core/paths.ts');
  const { Sealpost } = await import('../apps/desktop/src/core/sealpost.ts');
  const sealpost = await Sealpost.open(
    resolveDataPaths({ SEALPOST_HOME: corpus.home.home }),
    createSilentLogger(),
    { passphrase: corpus.home.passphrase, preferPassphrase: true, keychain: null },
  );

  const sealpostMs: number[] = [];
  const notmuchMs: number[] = [];
  const hits = { sealpost: 0, notmuch: 0 };
  try {
    const list = queries(3);
    // One warm-up query each, so neither side pays for opening its files in the figures.
    sealpost.mail.search({ text: 'budget', limit: LIMIT });
    execFileSync('notmuch', ['search', `--limit=${LIMIT}`, '--output=messages', 'budget'], {
      env,
    });
    for (const query of list) {
      let started = performance.now();
      const found = sealpost.mail.search({
        ...(query.text === undefined ? {} : { text: query.text }),
        ...(query.from === undefined ? {} : { from: query.from }),
        limit: LIMIT,
      });
      sealpostMs.push(performance.now() - started);
      hits.sealpost += found.length;

      started = performance.now();
      const lines = execFileSync(
        'notmuch',
        ['search', `--limit=${LIMIT}`, '--output=messages', query.notmuch],
        { env, encoding: 'utf8' },
      );
      notmuchMs.push(performance.now() - started);
      hits.notmuch += lines.split('\n').filter(Boolean).length;
    }
  } finally {
    sealpost.close();
  }

  // The cost of starting a notmuch process, which every notmuch figure includes.
  const startMs: number[] = [];
  for (let index = 0; index < 20; index += 1) {
    const started = performance.now();
    execFileSync('notmuch', ['count', 'id:none'], { env });
    startMs.push(performance.now() - started);
  }
  rmSync(notmuchFolder, { recursive: true, force: true });
  corpus.home.remove();

  const sealpostSummary = summary(sealpostMs);
  const notmuchSummary = summary(notmuchMs);
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
        sync,
        notmuchIndexSeconds,
        queries: QUERIES,
        limit: LIMIT,
        hits,
        sealpostMs: sealpostSummary,
        notmuchMs: notmuchSummary,
        notmuchProcessStartMs: summary(startMs),
        p95Ratio: sealpostSummary.p95 / notmuchSummary.p95,
      },
      null,
      2,
    )}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
