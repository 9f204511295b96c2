// Compares the two ways of encrypting the local store at rest, in one run on one machine:
// (a) the whole SQLite file encrypted by SQLite3 Multiple Ciphers (SQLCipher 4 scheme), and
// (b) a plaintext SQLite file whose sensitive column is sealed with AES-256-GCM (Node crypto)
// per row. A plaintext database is the baseline. Measures insert, point query and FTS5 search;
// prints ratios against the baseline. Run: pnpm exec tsx bench/at-rest-storage.ts [rows]
// NOTE: in (b) the FTS5 index cannot be sealed per column, so it stays plaintext; (b) is
// measured without an FTS index, and its "search" is a scan that opens every sealed row.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

// The driver is a dependency of @sealpost/storage, so it is resolved from that package.
const requireFromStorage = createRequire(
  new URL('../packages/storage/package.json', import.meta.url),
);
const Database = requireFromStorage('better-sqlite3-multiple-ciphers') as typeof BetterSqlite3;

const ROWS = Number(process.argv[2] ?? 20_000);
const QUERIES = 2_000;
const WORDS = ['invoice', 'lunch', 'meeting', 'report', 'travel', 'budget', 'draft', 'review'];
const key = randomBytes(32);

function body(i: number): string {
  const words = Array.from({ length: 60 }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]);
  return `Message ${i}: ${words.join(' ')} token${i % 500}`;
}

function seal(text: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
}

function open(sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

function time(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

type Variant = 'plaintext' | 'whole-file' | 'column-gcm';

function runVariant(variant: Variant, folder: string): Record<string, number> {
  const db = new Database(path.join(folder, `${variant}.db`));
  if (variant === 'whole-file') {
    db.pragma("cipher = 'sqlcipher'");
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
  }
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  const withFts = variant !== 'column-gcm';
  if (withFts) db.exec('CREATE VIRTUAL TABLE search USING fts5(body)');

  const insert = db.prepare('INSERT INTO messages (id, body) VALUES (?, ?)');
  const index = withFts ? db.prepare('INSERT INTO search (rowid, body) VALUES (?, ?)') : null;
  const insertMs = time(() => {
    db.transaction(() => {
      for (let i = 1; i <= ROWS; i += 1) {
        const text = body(i);
        insert.run(i, variant === 'column-gcm' ? seal(text) : text);
        index?.run(i, text);
      }
    })();
  });

  const get = db.prepare('SELECT body FROM messages WHERE id = ?');
  const queryMs = time(() => {
    for (let q = 0; q < QUERIES; q += 1) {
      const row = get.get(1 + ((q * 7919) % ROWS)) as { body: Buffer | string };
      if (variant === 'column-gcm') open(row.body as Buffer);
    }
  });

  const searchMs = time(() => {
    for (let q = 0; q < 20; q += 1) {
      const token = `token${q * 13}`;
      if (withFts) {
        db.prepare('SELECT rowid FROM search WHERE search MATCH ?').all(token);
      } else {
        const rows = db.prepare('SELECT id, body FROM messages').all() as { body: Buffer }[];
        rows.filter(
          (row) => open(row.body).includes(`${token} `) || open(row.body).endsWith(token),
        );
      }
    }
  });
  db.close();
  return { insertMs, queryMs, searchMs };
}

const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-bench-'));
try {
  const results = Object.fromEntries(
    (['plaintext', 'whole-file', 'column-gcm'] as const).map((variant) => [
      variant,
      runVariant(variant, folder),
    ]),
  ) as Record<Variant, Record<string, number>>;
  const base = results.plaintext;
  console.log(`rows=${ROWS} point queries=${QUERIES} searches=20 node=${process.version}`);
  for (const [variant, result] of Object.entries(results)) {
    const ratios = Object.entries(result)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms (x${(ms / base[name]!).toFixed(2)})`)
      .join(', ');
    console.log(`${variant}: ${ratios}`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
