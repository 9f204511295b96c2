// Benchmark of ratchet mode, not a test. It measures session start and per-message seal and open
// for 1 KB and 1 MB through RatchetClient's worker, and the AES-256-GCM layer against
// `openssl speed` in the same run. It also measures main-thread event-loop delay during a burst of
// 1,000 messages, in the worker and on the main thread. Run: pnpm exec tsx bench/ratchet.ts
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import { RatchetClient } from '../packages/crypto-core/src/ratchet/client.ts';
import {
  encryptWithSession,
  startSession,
} from '../packages/crypto-core/src/ratchet/peer-sessions.ts';
import {
  aeadSeal,
  randomKey,
  randomNonce,
} from '../packages/crypto-core/src/ratchet/primitives.ts';

const KB = 1024;
const MB = 1024 * 1024;

async function timeIt<T>(runs: number, action: () => Promise<T> | T): Promise<number> {
  await action();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await action();
  return (performance.now() - start) / runs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const client = RatchetClient.start();
const now = Date.now();
const alice = await client.generateIdentityKey();
const bob = await client.generateIdentityKey();
const prekey = await client.generatePrekey({
  identityPublicKey: bob.publicKey,
  fingerprint: 'ab'.repeat(20),
  now,
});

// 1. Session start: Alice's agreement and first message, then Bob's agreement and decryption.
const startMs = await timeIt(20, async () => {
  const session = await client.startSession({
    identityKey: alice.identityKey,
    bundleBytes: prekey.bundleBytes,
    now,
  });
  const first = await client.encrypt({ state: session.state, plaintext: new Uint8Array(16) });
  await client.decrypt({
    sessions: [],
    activeSessionId: null,
    message: first.message,
    identityKey: bob.identityKey,
    prekeySecret: prekey.prekeySecret,
    now,
  });
});

// 2. Seal and open per message within an established session (same chain, no DH step).
const session = await client.startSession({
  identityKey: alice.identityKey,
  bundleBytes: prekey.bundleBytes,
  now,
});
const opening = await client.encrypt({ state: session.state, plaintext: new Uint8Array(1) });
let aliceState = opening.state;
const received = await client.decrypt({
  sessions: [],
  activeSessionId: null,
  message: opening.message,
  identityKey: bob.identityKey,
  prekeySecret: prekey.prekeySecret,
  now,
});
let bobState = received.state;
const perMessage: Record<string, { sealMs: number; openMs: number }> = {};
for (const [label, size, runs] of [
  ['1 KB', KB, 200],
  ['1 MB', MB, 20],
] as const) {
  const payload = new Uint8Array(size).fill(0x61);
  const seals: number[] = [];
  const opens: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    const sealed = await client.encrypt({ state: aliceState, plaintext: payload });
    seals.push(performance.now() - start);
    aliceState = sealed.state;
    start = performance.now();
    const opened = await client.decrypt({
      sessions: [{ sessionId: received.sessionId, state: bobState }],
      activeSessionId: received.sessionId,
      message: sealed.message,
      identityKey: bob.identityKey,
      now,
    });
    opens.push(performance.now() - start);
    bobState = opened.state;
  }
  perMessage[label] = { sealMs: median(seals), openMs: median(opens) };
}

// 3. AES-256-GCM layer (Node crypto, as aeadSeal calls it) against openssl speed, 16 KiB blocks.
const block = new Uint8Array(16 * KB);
const key = randomKey();
const aad = new Uint8Array(0);
const aesRuns = 20_000;
const aesStart = performance.now();
for (let i = 0; i < aesRuns; i++) aeadSeal(key, randomNonce(), block, aad);
const oursMBs = (aesRuns * block.length) / MB / ((performance.now() - aesStart) / 1000);
const bigBlock = new Uint8Array(MB);
const bigStart = performance.now();
for (let i = 0; i < 300; i++) aeadSeal(key, randomNonce(), bigBlock, aad);
const oursBigMBs = 300 / ((performance.now() - bigStart) / 1000);
const speed = execFileSync(
  'openssl',
  ['speed', '-evp', 'aes-256-gcm', '-bytes', String(16 * KB), '-seconds', '3'],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
const speedLine =
  speed.split('\n').find((line) => line.toLowerCase().startsWith('aes-256-gcm')) ?? '';
const opensslKBs = Number.parseFloat((speedLine.trim().split(/\s+/).pop() ?? '').replace('k', ''));
const opensslMBs = (opensslKBs * 1000) / MB;

// 4. Main-thread event-loop delay during a burst of 1,000 one-KB messages.
async function burst(run: (state: Uint8Array) => Promise<Uint8Array> | Uint8Array) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const fresh = startSession({
    identityKey: alice.identityKey,
    bundleBytes: prekey.bundleBytes,
    now,
  });
  let state = fresh.state;
  const ticker = setInterval(() => undefined, 1);
  const start = performance.now();
  for (let i = 0; i < 1000; i++) state = await run(state);
  const elapsed = performance.now() - start;
  clearInterval(ticker);
  histogram.disable();
  return {
    elapsedMs: elapsed,
    maxDelayMs: histogram.max / 1e6,
    p99DelayMs: histogram.percentile(99) / 1e6,
  };
}
const payload = new Uint8Array(KB);
const withWorker = await burst(
  async (state) => (await client.encrypt({ state, plaintext: payload })).state,
);
// The peer: the same 1,000 encryptions run on the main thread, which cannot yield meanwhile.
const onMainThreadBatched = await (async () => {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let state = startSession({
    identityKey: alice.identityKey,
    bundleBytes: prekey.bundleBytes,
    now,
  }).state;
  const ticker = setInterval(() => undefined, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const start = performance.now();
  for (let i = 0; i < 1000; i++) state = encryptWithSession({ state, plaintext: payload }).state;
  const elapsed = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  histogram.disable();
  return {
    elapsedMs: elapsed,
    maxDelayMs: histogram.max / 1e6,
    p99DelayMs: histogram.percentile(99) / 1e6,
  };
})();
await client.close();

const cpu = os.cpus()[0]?.model ?? 'unknown';
const result = {
  machine: {
    cpu,
    cores: os.cpus().length,
    node: process.version,
    openssl: process.versions.openssl,
  },
  sessionStartMs: startMs,
  perMessage,
  aes256gcm: {
    node16KiBMBs: oursMBs,
    node1MiBMBs: oursBigMBs,
    openssl16KiBMBs: opensslMBs,
    ratio16KiB: oursMBs / opensslMBs,
    ratio1MiB: oursBigMBs / opensslMBs,
  },
  burst1000: {
    withWorker,
    onMainThreadBlocking: onMainThreadBatched,
  },
};
console.log(JSON.stringify(result, null, 2));
