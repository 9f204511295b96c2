// Benchmark of OpenPGP encrypt+sign and decrypt+verify, not a test. It times Sealpost against
// GnuPG (`gpg`) and Sequoia's `sqop` in the same run, file to file, for 1 KB, 1 MB and 100 MB.
// Sealpost uses the buffered crypto-core API up to 1 MB and the streaming API (with its
// encrypted spool) above 16 MB. Each peer uses its own Curve25519 keys and no compression.
// Prints median wall and CPU times (CPU: this process and its child processes, Linux only) and
// their ratios as JSON. Run: pnpm exec tsx bench/crypto.ts [--large-mb 100]

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

/** Median wall time and median CPU time (process and children) of `runs` runs. */
async function timeRuns(
  runs: number,
  action: () => Promise<void>,
): Promise<{ wallMs: number; cpuMs: number }> {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpuStart = cpuMs();
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
    cpuTimes.push(cpuMs() - cpuStart);
  }
  return { wallMs: median(times), cpuMs: median(cpuTimes) };
}

/** Median milliseconds by size label, then by peer. */
type Medians = Record<string, Record<string, { encryptMs: number; decryptMs: number }>>;

try {
  const peers = [await sealpostPeer(), gnupgPeer(), sqopPeer()];
  const results: Medians = {};
  const cpuResults: Medians = {};
  for (const size of sizes) {
    const plaintext = file(`plain-${size.bytes}`);
    const block = randomBytes(Math.min(size.bytes, MB));
    const stream = createWriteStream(plaintext);
    for (let written = 0; written < size.bytes; written += block.length) stream.write(block);
    await new Promise((resolve) => stream.end(resolve));
    const large = size.bytes > 16 * MB;

    results[size.label] = {};
    for (const peer of peers) {
      const encrypted = file(`${peer.name}-${size.bytes}.pgp`);
      const decrypted = file(`${peer.name}-${size.bytes}.out`);
      const encryption = await timeRuns(size.runs, () => peer.encrypt(plaintext, encrypted, large));
      const decryption = await timeRuns(size.runs, () => peer.decrypt(encrypted, decrypted, large));
      if (!readFileSync(decrypted).equals(readFileSync(plaintext))) {
        throw new Error(`${peer.name} did not round-trip ${size.label}`);
      }
      results[size.label]![peer.name] = {
        encryptMs: encryption.wallMs,
        decryptMs: decryption.wallMs,
      };
      cpuResults[size.label] ??= {};
      cpuResults[size.label]![peer.name] = {
        encryptMs: encryption.cpuMs,
        decryptMs: decryption.cpuMs,
      };
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
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
