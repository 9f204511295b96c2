// Long fuzzing run: `pnpm exec tsx fuzz/run.ts [--target NAME] [--seconds N] [--seed N]`.
// Mutates each target's corpus (fuzz/corpus/<target>/, seeded from fuzz/seeds.ts) in a worker
// thread and keeps inputs that reach new code blocks (V8 precise coverage of our packages and
// openpgp.js) or give a new outcome. Crashes (untyped errors) and hangs (no result within
// --timeout seconds) go to fuzz/findings/<target>/.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { seedsFor } from './seeds.ts';
import { INPUT_OFFSET, MAX_INPUT_BYTES } from './shared-input.ts';
import { targets } from './targets.ts';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: String(Date.now() % 0x7fffffff) },
    timeout: { type: 'string', default: '10' },
    // Reading coverage after each input cut inputs per second about 100 times in a 45-second
    // trial run; without it only outcomes guide the run.
    'no-coverage': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const timeoutMs = Number(values.timeout) * 1000;
if (!(seconds > 0) || !(timeoutMs > 0)) {
  throw new Error(
    `--seconds and --timeout must be positive numbers, got ${values.seconds} and ${values.timeout}`,
  );
}
const names = values.target === 'all' ? targets.map((target) => target.name) : [values.target!];

const folder = (kind: string, name: string): string => {
  const path = new URL(`./${kind}/${name}/`, import.meta.url).pathname;
  mkdirSync(path, { recursive: true });
  return path;
};
const digest = (data: Uint8Array): string =>
  createHash('sha256').update(data).digest('hex').slice(0, 16);

function loadCorpus(name: string): Uint8Array[] {
  const corpus = folder('corpus', name);
  const stored = readdirSync(corpus).map((file) => new Uint8Array(readFileSync(corpus + file)));
  return [...seedsFor(name), ...stored];
}

interface WorkerReport {
  type: 'new' | 'crash' | 'done';
  input?: Uint8Array;
  detail?: string;
  runs?: number;
  outcomes?: number;
  blocks?: number;
  corpus?: number;
}

/** Runs one target for its share of the time; resolves when its worker ends. */
function fuzzTarget(name: string, deadline: number, seed: number): Promise<void> {
  return new Promise((resolve) => {
    const shared = new SharedArrayBuffer(INPUT_OFFSET + MAX_INPUT_BYTES);
    const worker = new Worker(workerBootstrap(), {
      workerData: {
        name,
        corpus: loadCorpus(name),
        deadline,
        seed,
        shared,
        coverage: !values['no-coverage'],
      },
    });
    let lastBeat = Date.now();
    const beats = new Int32Array(shared, 0, 1);
    let lastCount = Atomics.load(beats, 0);
    const watchdog = setInterval(() => {
      const count = Atomics.load(beats, 0);
      if (count !== lastCount) {
        lastCount = count;
        lastBeat = Date.now();
        return;
      }
      if (Date.now() - lastBeat > timeoutMs) {
        const input = currentInput(shared);
        const id = digest(input);
        writeFileSync(folder('findings', name) + `hang-${id}.bin`, input);
        console.log(`${name}: hang over ${timeoutMs} ms, input saved as hang-${id}.bin`);
        clearInterval(watchdog);
        void worker.terminate().then(() => resolve());
      }
    }, 250);
    worker.on('message', (report: WorkerReport) => {
      if (report.type === 'new') {
        writeFileSync(folder('corpus', name) + digest(report.input!), report.input!);
      } else if (report.type === 'crash') {
        const id = digest(report.input!);
        writeFileSync(folder('findings', name) + `crash-${id}.bin`, report.input!);
        writeFileSync(folder('findings', name) + `crash-${id}.txt`, report.detail ?? '');
        console.log(`${name}: crash saved as crash-${id}.bin: ${report.detail?.split('\n')[0]}`);
      } else {
        console.log(
          `${name}: ${report.runs} runs, ${report.blocks} blocks covered, ` +
            `${report.outcomes} distinct outcomes, corpus of ${report.corpus}`,
        );
      }
    });
    worker.on('error', (error) => console.log(`${name}: worker failed: ${error.message}`));
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolve();
    });
  });
}

/**
 * Builds a data: URL module that loads worker.ts through tsx's tsImport, because Node 20 does
 * not apply `--import tsx` from a worker's execArgv.
 */
function workerBootstrap(): URL {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(
    path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const code =
    `const { tsImport } = await import(${JSON.stringify(tsxApi)});\n` +
    `await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Returns the input the worker is running, as it copied it into shared memory. */
function currentInput(shared: SharedArrayBuffer): Uint8Array {
  const length = Atomics.load(new Int32Array(shared, 0, 2), 1);
  return new Uint8Array(shared, INPUT_OFFSET, length).slice();
}

const perTarget = (seconds * 1000) / names.length;
let seed = Number(values.seed);
console.log(`fuzzing ${names.join(', ')} for ${seconds} s with seed ${seed}`);
for (const name of names) {
  if (!targets.some((target) => target.name === name)) {
    throw new Error(`unknown fuzz target ${name}; known: ${targets.map((t) => t.name).join(', ')}`);
  }
  await fuzzTarget(name, Date.now() + perTarget, seed++);
}
if (!existsSync(new URL('./findings/', import.meta.url))) console.log('no findings');
