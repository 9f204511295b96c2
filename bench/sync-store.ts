// Measures the store side of an initial sync without IMAP. The messages of a Maildir folder are
// stored into a new encrypted Store as sync stores them: header rows first, then bodies with
// messageFields and completeBody, in unflushed transactions. The cases differ in the bytes per
// transaction, and the peer is the 256 KiB of the sync's FETCH batches. It also times the
// fields of each body read with messageFields against a full parseMessage. Prints JSON.
// Run: pnpm exec tsx bench/sync-store.ts MAILDIR_FOLDER [MESSAGES]
// (for example the cur folder of the bench user, as bench/sync-corpus.ts writes it).

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { parseMessage } from '../packages/mail-transport/src/index.ts';
import { openDatabase, type Store } from '../packages/storage/src/index.ts';
import { isRatchetMessage } from '../apps/desktop/src/core/message-kind.ts';
import { headerFields, messageFields } from '../apps/desktop/src/core/sync/header-fields.ts';

const [folderArgument, countArgument] = process.argv.slice(2);
if (!folderArgument) throw new Error('usage: sync-store.ts MAILDIR_FOLDER [MESSAGES]');
const MESSAGES = Number(countArgument ?? 3000);

const CASES = [
  { name: '256 KiB transactions', transactionBytes: 256 * 1024 },
  { name: '1 MiB transactions', transactionBytes: 1024 * 1024 },
  { name: '4 MiB transactions', transactionBytes: 4 * 1024 * 1024 },
];

/** Returns the header section of a message: the bytes up to and including the empty line. */
function headerSection(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  return end === -1 ? raw : raw.subarray(0, end + 4);
}

function seedFolder(store: Store): number {
  const account = store.accounts.insert({
    email: 'bench@sealpost.test',
    displayName: 'Bench',
    imap: { host: '127.0.0.1', port: 1143, security: 'starttls', user: 'bench' },
    smtp: { host: '127.0.0.1', port: 1587, security: 'starttls', user: 'bench' },
    pinnedCertificate: null,
    sealedPassword: new Uint8Array([1]),
  });
  const folder = store.folders.upsert({ accountId: account.id, path: 'INBOX', specialUse: null });
  store.folders.resetUidValidity(folder.id, 1);
  return folder.id;
}

function runCase(folder: string, raws: Buffer[], transactionBytes: number) {
  const file = path.join(folder, `store-${transactionBytes}.db`);
  const store = openDatabase(file, { encryptionKey: new Uint8Array(randomBytes(32)) });
  try {
    const folderId = seedFolder(store);
    const ids: number[] = [];
    store.unflushedTransaction('bench headers', () => {
      raws.forEach((raw, index) => {
        const header = headerSection(raw);
        const result = store.messageSync.insertHeaders({
          folderId,
          uidValidity: 1,
          uid: index + 1,
          header,
          flags: [],
          internalDate: new Date(),
          serverSize: raw.length,
          ...headerFields(header),
        });
        ids.push(result.id);
      });
    });

    const started = performance.now();
    let next = 0;
    while (next < raws.length) {
      const first = next;
      let bytes = 0;
      while (
        next < raws.length &&
        (next === first || bytes + raws[next]!.length <= transactionBytes)
      ) {
        bytes += raws[next]!.length;
        next += 1;
      }
      store.unflushedTransaction('bench bodies', () => {
        for (let index = first; index < next; index += 1) {
          const { fields } = messageFields(raws[index]!);
          store.messageSync.completeBody(ids[index]!, raws[index]!, fields);
        }
      });
    }
    return { seconds: (performance.now() - started) / 1000 };
  } finally {
    store.close();
  }
}

/** Times `read` over every message, twice, and returns the seconds of each pass. */
function timeFieldReads(raws: Buffer[], read: (raw: Buffer) => unknown): number[] {
  const passes: number[] = [];
  for (let pass = 0; pass < 2; pass += 1) {
    const started = performance.now();
    for (const raw of raws) read(raw);
    passes.push((performance.now() - started) / 1000);
  }
  return passes;
}

const files = readdirSync(folderArgument).sort().slice(0, MESSAGES);
const raws = files.map((file) => readFileSync(path.join(folderArgument, file)));
const bytes = raws.reduce((sum, raw) => sum + raw.length, 0);
const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-sync-store-'));
try {
  const results = CASES.map((storeCase) => ({
    ...storeCase,
    ...runCase(folder, raws, storeCase.transactionBytes),
  }));
  const peerSeconds = results[0]!.seconds;
  const fieldReads = {
    messageFieldsSeconds: timeFieldReads(raws, (raw) => messageFields(raw)),
    fullParseSeconds: timeFieldReads(raws, (raw) => isRatchetMessage(parseMessage(raw))),
  };
  process.stdout.write(
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        loadAverage: os.loadavg()[0],
        messages: raws.length,
        mebibytes: bytes / 2 ** 20,
        results: results.map((result) => ({ ...result, ratio: result.seconds / peerSeconds })),
        fieldReads,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
