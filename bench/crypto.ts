// Benchmark of OpenPGP encrypt+sign and decrypt+verify, not a test. It times Sealpost against
// GnuPG (`gpg`) and Sequoia's `sqop` in the same run, file to file, for 1 KB, 1 MB and 100 MB.
// Sealpost uses the buffered crypto-core API up to 1 MB and the streaming API (with its
// encrypted spool) above 16 MB. Each peer uses its own Curve25519 keys and no compression.
// The peers take turns run by run. Prints median wall and CPU times (CPU: this process and its
// child processes, and Sealpost's main thread alone; Linux only), their ratios and the load
// average as JSON. Run: pnpm exec tsx bench/crypto.ts [--large-mb 100]

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import {
  decryptAndVerify,
  decryptToSpool,
  encryptAndSign,
  encryptAndSignStream,
  generateIdentity,
  unlockSecretKey,
} from '../packages/crypto-core/src/index.ts';

const { values } = parseArgs({ options: { 'large-mb': { type: 'string', default: '100' } } });
const KB = 1024;
const MB = 1024 * KB;
const sizes = [
  { label: '1 KB', bytes: KB, runs: 15 },
  { label: '1 MB', bytes: MB, runs: 7 },
  { label: `${values['large-mb']} MB`, bytes: Number(values['large-mb']) * MB, runs: 3 },
];

const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-bench-crypto-'));
const file = (name: string): string => path.join(folder, name);

/** Where Sealpost's large decryption spends its time, one entry per run. */
const largeDecryptPhases: Array<{ decryptToSpoolMs: number; spoolToFileMs: number }> = [];

interface Peer {
  name: string;
  encrypt(input: string, output: string, large: boolean): Promise<void>;
  decrypt(input: string, output: string, large: boolean): Promise<void>;
}

async function sealpostPeer(): Promise<Peer> {
  const passphrase = 'bench passphrase';
  const [alice, bob] = await Promise.all([
    generateIdentity({ address: 'alice@sealpost.test', name: 'Alice', passphrase }),
    generateIdentity({ address: 'bob@sealpost.test', name: 'Bob', passphrase }),
  ]);
  const aliceKey = await unlockSecretKey(alice.secretKey, passphrase);
  const bobKey = await unlockSecretKey(bob.secretKey, passphrase);
  return {
    name: 'sealpost',
    async encrypt(input, output, large) {
      if (large) {
        await encryptAndSignStream({
          data: createReadStream(input, { highWaterMark: MB }),
          output: createWriteStream(output, { highWaterMark: MB }),
          format: 'binary',
          recipientCertificates: [bob.certificate],
          signingKey: aliceKey,
        });
        return;
      }
      const armored = await encryptAndSign({
        data: readFileSync(input),
        recipientCertificates: [bob.certificate],
        signingKey: aliceKey,
        // Classical, like the peers; 'auto' would add an ML-KEM-768 encapsulation.
        mode: 'classical',
      });
      writeFileSync(output, armored);
    },
    async decrypt(input, output, large) {
      if (large) {
        const start = performance.now();
        const spool = await decryptToSpool({
          message: createReadStream(input, { highWaterMark: MB }),
          format: 'binary',
          decryptionKeys: [bobKey],
          verificationCertificates: [alice.certificate],
          spoolDirectory: folder,
        });
        requireValid(spool.signatures.map((signature) => signature.status));
        const verified = performance.now();
        // A few MiB of write buffer, so the next record is decrypted while one is written.
        const sink = createWriteStream(output, { highWaterMark: 4 * MB });
        for await (const chunk of spool.read()) {
          if (!sink.write(chunk)) await once(sink, 'drain');
        }
        await new Promise((resolve) => sink.end(resolve));
        await spool.dispose();
        largeDecryptPhases.push({
          decryptToSpoolMs: Math.round(verified - start),
          spoolToFileMs: Math.round(performance.now() - verified),
        });
        return;
      }
      const result = await decryptAndVerify({
        message: readFileSync(input, 'utf8'),
        decryptionKeys: [bobKey],
        verificationCertificates: [alice.certificate],
      });
      requireValid(result.signatures.map((signature) => signature.status));
      writeFileSync(output, result.data);
    },
  };
}

function requireValid(statuses: string[]): void {
  if (statuses.length !== 1 || statuses[0] !== 'valid') {
    throw new Error(`expected one valid signature, got ${JSON.stringify(statuses)}`);
  }
}

function gnupgPeer(): Peer {
  const home = file('gnupg');
  execFileSync('mkdir', ['-m', '700', home]);
  const gpg = (args: string[]): Buffer =>
    execFileSync(
      'gpg',
      [
        '--homedir',
        home,
        '--batch',
        '--yes',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        ...args,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 1 << 30,
      },
    );
  for (const name of ['alice', 'bob']) {
    gpg([
      '--quick-gen-key',
      `${name} <${name}@gpg.sealpost.test>`,
      'future-default',
      'default',
      'never',
    ]);
  }
  return {
    name: 'gpg',
    async encrypt(input, output, large) {
      gpg([
        '--trust-model',
        'always',
        '--compress-algo',
        'none',
        '--cipher-algo',
        'AES256',
        ...(large ? [] : ['--armor']),
        '--local-user',
        'alice@gpg.sealpost.test',
        '--recipient',
        'bob@gpg.sealpost.test',
        '--sign',
        '--encrypt',
        '--output',
        output,
        input,
      ]);
    },
    async decrypt(input, output) {
      const status = gpg(['--status-fd', '1', '--decrypt', '--output', output, input]).toString();
      if (!status.includes('[GNUPG:] GOODSIG')) throw new Error('gpg did not report GOODSIG');
    },
  };
}

function sqopPeer(): Peer {
  const key = (name: string): string => {
    const secret = file(`${name}.sqop.key`);
    writeFileSync(
      secret,
      execFileSync('sqop', ['generate-key', `${name} <${name}@sqop.sealpost.test>`]),
    );
    writeFileSync(
      file(`${name}.sqop.cert`),
      execFileSync('sqop', ['extract-cert'], { input: readFileSync(secret) }),
    );
    return secret;
  };
  key('alice');
  key('bob');
  const run = (args: string[], input: string, output: string): void => {
    execFileSync('sh', ['-c', `sqop "$@" < "${input}" > "${output}"`, 'sqop', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  };
  return {
    name: 'sqop',
    async encrypt(input, output, large) {
      run(
        [
          'encrypt',
          ...(large ? ['--no-armor'] : []),
          '--sign-with',
          file('alice.sqop.key'),
          file('bob.sqop.cert'),
        ],
        input,
        output,
      );
    },
    async decrypt(input, output) {
      const verifications = file('sqop.verifications');
      rmSync(verifications, { force: true });
      run(
        [
          'decrypt',
          '--verify-out',
          verifications,
          '--verify-with',
          file('alice.sqop.cert'),
          file('bob.sqop.key'),
        ],
        input,
        output,
      );
      if (readFileSync(verifications, 'utf8').trim().split('\n').length !== 1) {
        throw new Error('sqop did not report exactly one verification');
      }
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * CPU time in milliseconds used so far by this process and by its finished child processes
 * (Linux: utime, stime, cutime and cstime of /proc/self/stat, in clock ticks of 10 ms).
 */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name, field 3 (state) is index 0, so fields 14 to 17 are 11 to 14.
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  return ticks * 10;
}

/**
 * CPU time in milliseconds of this process's main thread alone (utime and stime of
 * /proc/self/task/PID/stat). For Sealpost it is the critical path, because openpgp.js runs
 * there while file I/O and parts of garbage collection run on other threads.
 */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface RunTimes {
  wallMs: number[];
  cpuMs: number[];
  mainThreadCpuMs: number[];
}

/**
 * Runs `action` for every peer `runs` times, peer after peer within each run, so a change of
 * the machine's load during the benchmark affects every peer alike. Returns the times by peer.
 */
async function timeInterleaved(
  runs: number,
  peerList: Peer[],
  action: (peer: Peer) => Promise<void>,
): Promise<Map<string, RunTimes>> {
  const times = new Map<string, RunTimes>(
    peerList.map((peer) => [peer.name, { wallMs: [], cpuMs: [], mainThreadCpuMs: [] }]),
  );
  for (let run = 0; run < runs; run++) {
    for (const peer of peerList) {
      const cpuStart = cpuMs();
      const mainStart = mainThreadCpuMs();
      const start = performance.now();
      await action(peer);
      const entry = times.get(peer.name)!;
      entry.wallMs.push(performance.now() - start);
      entry.cpuMs.push(cpuMs() - cpuStart);
      entry.mainThreadCpuMs.push(mainThreadCpuMs() - mainStart);
    }
  }
  return times;
}

/** Median milliseconds by size label, then by peer. */
type Medians = Record<string, Record<string, { encryptMs: number; decryptMs: number }>>;

/** Returns the 1-minute load average, rounded to one decimal. */
function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 10) / 10;
}

try {
  const peers = [await sealpostPeer(), gnupgPeer(), sqopPeer()];
  const results: Medians = {};
  const cpuResults: Medians = {};
  const sealpostMainThreadCpu: Record<string, { encryptMs: number; decryptMs: number }> = {};
  const load: Record<string, { start: number; end: number }> = {};
  for (const size of sizes) {
    const plaintext = file(`plain-${size.bytes}`);
    const block = randomBytes(Math.min(size.bytes, MB));
    const stream = createWriteStream(plaintext);
    for (let written = 0; written < size.bytes; written += block.length) stream.write(block);
    await new Promise((resolve) => stream.end(resolve));
    const large = size.bytes > 16 * MB;
    const encryptedOf = (peer: Peer): string => file(`${peer.name}-${size.bytes}.pgp`);
    const decryptedOf = (peer: Peer): string => file(`${peer.name}-${size.bytes}.out`);

    const loadAtStart = loadAverage();
    const encryption = await timeInterleaved(size.runs, peers, (peer) =>
      peer.encrypt(plaintext, encryptedOf(peer), large),
    );
    const decryption = await timeInterleaved(size.runs, peers, (peer) =>
      peer.decrypt(encryptedOf(peer), decryptedOf(peer), large),
    );
    load[size.label] = { start: loadAtStart, end: loadAverage() };

    results[size.label] = {};
    cpuResults[size.label] = {};
    for (const peer of peers) {
      if (!readFileSync(decryptedOf(peer)).equals(readFileSync(plaintext))) {
        throw new Error(`${peer.name} did not round-trip ${size.label}`);
      }
      const encrypted = encryption.get(peer.name)!;
      const decrypted = decryption.get(peer.name)!;
      results[size.label]![peer.name] = {
        encryptMs: median(encrypted.wallMs),
        decryptMs: median(decrypted.wallMs),
      };
      cpuResults[size.label]![peer.name] = {
        encryptMs: median(encrypted.cpuMs),
        decryptMs: median(decrypted.cpuMs),
      };
      if (peer.name === 'sealpost') {
        sealpostMainThreadCpu[size.label] = {
          encryptMs: median(encrypted.mainThreadCpuMs),
          decryptMs: median(decrypted.mainThreadCpuMs),
        };
      }
    }
  }

  const ratiosOf = (medians: Medians): unknown =>
    Object.fromEntries(
      Object.entries(medians).map(([label, byPeer]) => {
        const ours = byPeer['sealpost']!;
        return [
          label,
          Object.fromEntries(
            ['gpg', 'sqop'].map((peer) => [
              peer,
              {
                encrypt: +(ours.encryptMs / byPeer[peer]!.encryptMs).toFixed(2),
                decrypt: +(ours.decryptMs / byPeer[peer]!.decryptMs).toFixed(2),
              },
            ]),
          ),
        ];
      }),
    );
  console.log(
    JSON.stringify(
      {
        machine: `${os.cpus().length} x ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
        gpg: execFileSync('gpg', ['--version']).toString().split('\n')[0],
        sqop: execFileSync('sqop', ['version']).toString().trim(),
        medianMs: results,
        sealpostLargeDecryptPhases: largeDecryptPhases,
        sealpostTimeOverPeer: ratiosOf(results),
        medianCpuMs: cpuResults,
        sealpostCpuOverPeer: ratiosOf(cpuResults),
        sealpostMedianMainThreadCpuMs: sealpostMainThreadCpu,
        loadAverage: load,
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
