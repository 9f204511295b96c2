// Benchmark of search, not a test. It loads 100,000 realistic messages into the INBOX of a new
// t-bench-... user of the local Dovecot (bench/sync-corpus.ts) and syncs them with Sealpost in
// a child process, for time and peak RSS. It indexes the same Maildir with notmuch and runs the
// same seeded queries against both in the same run. It prints JSON with the p50 and p95 latency
// of `sealpost.mail.search` in-process and of one `notmuch search` process per query, over
// all queries and per pass. Run: pnpm bench:search, or BENCH_USER=t-bench-...@sealpost.test
// pnpm bench:search to reuse the corpus of an earlier run (needs the local mail stack and
// root to write the Maildir files).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { mulberry32 } from '../apps/desktop/test/sync/cutting-proxy.ts';
import { buildCorpus, existingCorpus, repositoryRoot } from './sync-corpus.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const LIMIT = 50;
/** The query list runs this many times, alternating Sealpost and notmuch query by query. */
const PASSES = 2;

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
  const corpus = process.env.BENCH_USER
    ? await existingCorpus(process.env.BENCH_USER)
    : await buildCorpus(`search-${runId}`, MESSAGES, { seed: 2, encryptedShare: 0.03 });

  // With BENCH_SEALPOST_HOME and BENCH_NOTMUCH_DIR (kept by an earlier run with BENCH_KEEP=1)
  // the queries run on those data folders, without a new sync and notmuch index.
  const keptHome = process.env.BENCH_SEALPOST_HOME;
  const keptNotmuch = process.env.BENCH_NOTMUCH_DIR;
  const sealpostHome = keptHome ?? corpus.home.home;
  let sync: Record<string, number> | null = null;
  let notmuchIndexSeconds: number | null = null;
  const notmuchFolder = keptNotmuch ?? mkdtempSync(path.join(os.tmpdir(), 'sealpost-notmuch-'));
  const config = path.join(notmuchFolder, 'config');
  const env = { ...process.env, NOTMUCH_CONFIG: config };

  if (!keptHome || !keptNotmuch) {
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
    sync = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
    process.stderr.write(`sealpost sync: ${JSON.stringify(sync)}\n`);

    // notmuch: its own database next to the Dovecot Maildir, which it only reads.
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
    const indexStarted = performance.now();
    execFileSync('notmuch', ['new', '--quiet'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    notmuchIndexSeconds = (performance.now() - indexStarted) / 1000;
    process.stderr.write(`notmuch new: ${notmuchIndexSeconds.toFixed(1)} s\n`);
  }

  const { createSilentLogger } = await import('../apps/desktop/src/core/logger.ts');
  const { resolveDataPaths } = await import('../apps/desktop/src/core/paths.ts');
  const { Sealpost } = await import('../apps/desktop/src/core/sealpost.ts');
  // Opening a data folder kept at an older schema version includes its migrations.
  const openStarted = performance.now();
  const sealpost = await Sealpost.open(
    resolveDataPaths({ SEALPOST_HOME: sealpostHome }),
    createSilentLogger(),
    { passphrase: corpus.home.passphrase, preferPassphrase: true, keychain: null },
  );
  const openSeconds = (performance.now() - openStarted) / 1000;

  const sealpostMs: number[] = [];
  const notmuchMs: number[] = [];
  const hits = { sealpost: 0, notmuch: 0 };
  const list = queries(3);
  try {
    // One warm-up query each, so neither side pays for opening its files in the figures.
    sealpost.mail.search({ text: 'budget', limit: LIMIT });
    execFileSync('notmuch', ['search', `--limit=${LIMIT}`, '--output=messages', 'budget'], {
      env,
    });
    for (const query of Array.from({ length: PASSES }, () => list).flat()) {
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
  if (process.env.BENCH_KEEP === '1') {
    process.stderr.write(
      `kept: BENCH_SEALPOST_HOME=${sealpostHome} BENCH_NOTMUCH_DIR=${notmuchFolder}\n`,
    );
  } else {
    if (!keptNotmuch) rmSync(notmuchFolder, { recursive: true, force: true });
    if (!keptHome) corpus.home.remove();
  }
  if (keptHome) corpus.home.remove();

  const sealpostSummary = summary(sealpostMs);
  const notmuchSummary = summary(notmuchMs);
  // Figures per pass and per query kind (index modulo 4, see queries()).
  const select = (values: number[], keep: (index: number) => boolean) =>
    summary(values.filter((_, index) => keep(index)));
  const passes = Array.from({ length: PASSES }, (_, pass) => {
    const inPass = (index: number) => Math.floor(index / list.length) === pass;
    return {
      sealpostMs: select(sealpostMs, inPass),
      notmuchMs: select(notmuchMs, inPass),
      p95Ratio: select(sealpostMs, inPass).p95 / select(notmuchMs, inPass).p95,
    };
  });
  const kinds = ['one word', 'two words', 'word prefix', 'sender'].map((kind, kindIndex) => {
    const ofKind = (index: number) => (index % list.length) % 4 === kindIndex;
    return { kind, sealpostMs: select(sealpostMs, ofKind), notmuchMs: select(notmuchMs, ofKind) };
  });
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
        // The 1-minute load average after the queries; the machine is shared with other work.
        loadAverage: os.loadavg()[0],
        sync,
        notmuchIndexSeconds,
        openSeconds,
        queries: QUERIES,
        limit: LIMIT,
        hits,
        passes,
        kinds,
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
