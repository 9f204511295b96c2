// Measures what storing synced bodies costs in SQLite alone, without IMAP or MIME parsing:
// 36 KiB blobs inserted in transactions of a given size under WAL with synchronous = NORMAL,
// as sync stores body batches. Cases: a plaintext file (the peer), the SQLCipher 4 scheme of
// the store (SQLite3 Multiple Ciphers, raw 32-byte key) with SQLite's automatic checkpoints,
// larger transactions, no automatic checkpoints (one at the end, timed apart), checkpoints on a
// second connection in a worker thread, and other cipher parameters (HMAC-SHA256, no HMAC,
// 16 KiB pages) that the store does not use. Prints JSON.
// Run: pnpm exec tsx bench/sync-commit.ts [MiB]

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

// The driver is a dependency of @sealpost/storage, so it is resolved from that package.
const requireFromStorage = createRequire(
  new URL('../packages/storage/package.json', import.meta.url),
);
const Database = requireFromStorage('better-sqlite3-multiple-ciphers') as typeof BetterSqlite3;

const MEBIBYTES = Number(process.argv[2] ?? 352);
const BLOB_BYTES = 36 * 1024;

interface CommitCase {
  name: string;
  encrypted: boolean;
  /** PRAGMA wal_autocheckpoint in pages; 0 turns automatic checkpoints off. */
  autocheckpointPages: number;
  transactionKiB: number;
  /** Cipher parameters set after `legacy = 4`, e.g. { hmac_algorithm: 1 } for HMAC-SHA256. */
  cipherParameters?: Record<string, number>;
  /** Runs PASSIVE checkpoints on a second connection in a worker thread while inserting. */
  workerCheckpoints?: boolean;
}

const CASES: CommitCase[] = [
  { name: 'plaintext', encrypted: false, autocheckpointPages: 1000, transactionKiB: 256 },
  { name: 'sqlcipher', encrypted: true, autocheckpointPages: 1000, transactionKiB: 256 },
  { name: 'sqlcipher, 4 MiB', encrypted: true, autocheckpointPages: 1000, transactionKiB: 4096 },
  {
    name: 'sqlcipher, no autocheckpoint',
    encrypted: true,
    autocheckpointPages: 0,
    transactionKiB: 256,
  },
  {
    name: 'sqlcipher, worker checkpoints',
    encrypted: true,
    autocheckpointPages: 0,
    transactionKiB: 256,
    workerCheckpoints: true,
  },
  {
    name: 'sqlcipher, HMAC-SHA256',
    encrypted: true,
    autocheckpointPages: 1000,
    transactionKiB: 256,
    cipherParameters: { hmac_algorithm: 1 },
  },
  {
    // Not a candidate, because without the HMAC a changed page goes undetected. It shows the
    // HMAC's share of the cost.
    name: 'sqlcipher, no HMAC',
    encrypted: true,
    autocheckpointPages: 1000,
    transactionKiB: 256,
    cipherParameters: { hmac_use: 0 },
  },
  {
    name: 'sqlcipher, 16 KiB pages',
    encrypted: true,
    autocheckpointPages: 250,
    transactionKiB: 256,
    cipherParameters: { legacy_page_size: 16384 },
  },
];

/** Sets the key and cipher of a connection as packages/storage/src/database-key.ts does. */
function applyCipher(db: BetterSqlite3.Database, key: string, parameters: Record<string, number>) {
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  for (const [name, value] of Object.entries(parameters)) db.pragma(`${name} = ${value}`);
  db.pragma(`key = "x'${key}'"`);
}

/**
 * Starts a worker thread that runs PRAGMA wal_checkpoint(PASSIVE) on its own connection every
 * 50 ms. Returns a promise that resolves once the worker has opened the database, and `stop`.
 */
function startWorkerCheckpoints(file: string, key: string, parameters: Record<string, number>) {
  const driver = requireFromStorage.resolve('better-sqlite3-multiple-ciphers');
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    for (const [name, value] of Object.entries(workerData.parameters)) db.pragma(name + ' = ' + value);
    db.pragma(workerData.keyPragma);
    let stopped = false;
    parentPort.on('message', () => { stopped = true; });
    const tick = () => {
      if (stopped) { db.close(); parentPort.postMessage('closed'); return; }
      db.pragma('wal_checkpoint(PASSIVE)');
      setTimeout(tick, 50);
    };
    parentPort.postMessage('ready');
    tick();
    `,
    { eval: true, workerData: { driver, file, keyPragma: `key = "x'${key}'"`, parameters } },
  );
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return {
    ready,
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.postMessage('stop');
      }),
  };
}

async function runCase(folder: string, commitCase: CommitCase) {
  const file = path.join(folder, `${commitCase.name.replace(/\W+/g, '-')}.db`);
  const key = randomBytes(32).toString('hex');
  const parameters = commitCase.cipherParameters ?? {};
  const db = new Database(file);
  try {
    if (commitCase.encrypted) applyCipher(db, key, parameters);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`wal_autocheckpoint = ${commitCase.autocheckpointPages}`);
    db.exec('CREATE TABLE message_raw (id INTEGER PRIMARY KEY, raw BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO message_raw (raw) VALUES (?)');
    const blob = randomBytes(BLOB_BYTES);
    const total = MEBIBYTES * 2 ** 20;
    const storeBatch = db.transaction(() => {
      for (let bytes = 0; bytes < commitCase.transactionKiB * 1024; bytes += BLOB_BYTES) {
        insert.run(blob);
      }
    });
    const checkpointer = commitCase.workerCheckpoints
      ? startWorkerCheckpoints(file, key, parameters)
      : null;
    await checkpointer?.ready;

    const started = performance.now();
    for (let written = 0; written < total; written += commitCase.transactionKiB * 1024) {
      storeBatch();
      // Sync awaits the network between batches, so the worker's timer may run meanwhile.
      if (checkpointer) await new Promise((resolve) => setImmediate(resolve));
    }
    await checkpointer?.stop();
    const insertSeconds = (performance.now() - started) / 1000;
    const checkpointStarted = performance.now();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const checkpointSeconds = (performance.now() - checkpointStarted) / 1000;
    return { ...commitCase, insertSeconds, checkpointSeconds };
  } finally {
    db.close();
  }
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-sync-commit-'));
try {
  const results = [];
  for (const commitCase of CASES) results.push(await runCase(folder, commitCase));
  const peer = results[0]!;
  const peerSeconds = peer.insertSeconds + peer.checkpointSeconds;
  process.stdout.write(
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        loadAverage: os.loadavg()[0],
        mebibytes: MEBIBYTES,
        results: results.map((result) => ({
          ...result,
          ratio: (result.insertSeconds + result.checkpointSeconds) / peerSeconds,
        })),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
