// Worker thread of fuzz/run.ts. It mutates corpus inputs with a seeded generator, runs the
// target on each, and reports every crash and every input that reaches new code blocks (V8
// precise coverage) or gives a new outcome key. Each input is copied to shared memory before
// it runs, so the watchdog can save one that hangs.

import { parentPort, workerData } from 'node:worker_threads';
import { BlockCoverage } from './block-coverage.ts';
import { DICTIONARY, mutate, type Mutation } from './seeds.ts';
import { INPUT_OFFSET, MAX_INPUT_BYTES } from './shared-input.ts';
import { targets } from './targets.ts';

interface Options {
  name: string;
  corpus: Uint8Array[];
  deadline: number;
  seed: number;
  shared: SharedArrayBuffer;
  coverage: boolean;
}

const { name, corpus, deadline, seed, shared, coverage: useCoverage } = workerData as Options;
const target = targets.find((candidate) => candidate.name === name)!;
const counters = new Int32Array(shared, 0, 2);
const inputView = new Uint8Array(shared, INPUT_OFFSET, MAX_INPUT_BYTES);

// xorshift32: a small seeded generator, so a run can be repeated with --seed.
let state = seed >>> 0 || 1;
function random(limit: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % Math.max(1, limit);
}

function randomMutation(): Mutation {
  const at = random(1 << 30);
  switch (random(5)) {
    case 0:
      return { kind: 'flip', at, bit: random(8) };
    case 1:
      return { kind: 'set', at, value: [0, 0xff, 0x7f, 0x80, 0x20, 0x0a, 0x3d][random(7)]! };
    case 2:
      return { kind: 'delete', at, length: 1 + random(64) };
    case 3:
      return { kind: 'insert', at, data: DICTIONARY[random(DICTIONARY.length)]! };
    default:
      return { kind: 'duplicate', at, length: 1 + random(128), times: 1 + random(63) };
  }
}

const coverage = new BlockCoverage();
if (useCoverage) await coverage.start();
const outcomes = new Set<string>();
let runs = 0;
while (Date.now() < deadline) {
  const base = corpus[random(corpus.length)]!;
  const mutations = Array.from({ length: 1 + random(6) }, randomMutation);
  const input = mutate(base, mutations, MAX_INPUT_BYTES);

  inputView.set(input);
  Atomics.store(counters, 1, input.length);
  let outcome: string;
  try {
    outcome = await target.run(input);
  } catch (error) {
    // target.run returns typed errors as outcomes, so whatever arrives here is a crash.
    outcome = `crash:${(error as Error).name}:${String((error as Error).message).slice(0, 60)}`;
    parentPort!.postMessage({
      type: 'crash',
      input,
      detail: (error as Error).stack ?? String(error),
    });
  }
  Atomics.add(counters, 0, 1);
  runs += 1;

  const newBlocks = useCoverage ? await coverage.takeNewBlocks() : 0;
  const newOutcome = !outcomes.has(outcome);
  outcomes.add(outcome);
  if (newBlocks > 0 || newOutcome) {
    corpus.push(input);
    parentPort!.postMessage({ type: 'new', input });
  }
}
parentPort!.postMessage({
  type: 'done',
  runs,
  outcomes: outcomes.size,
  blocks: coverage.size,
  corpus: corpus.length,
});
