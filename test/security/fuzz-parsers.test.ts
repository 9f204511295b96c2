// CI-sized fuzzing of every parser that reads untrusted input (fuzz/targets.ts), with fixed
// fast-check seeds so a failure reproduces: random bytes, and mutations of each target's seeds
// with grammar tokens. Every input that once crashed or hung a parser is kept under
// fuzz/regressions/<target>/ and replayed here. The long run is fuzz/run.ts.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DICTIONARY, mutate, seedsFor, type Mutation } from '../../fuzz/seeds.ts';
import { targets } from '../../fuzz/targets.ts';

const regressionFolder = new URL('../../fuzz/regressions/', import.meta.url);

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat(64) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    data: fc.oneof(fc.constantFrom(...DICTIONARY), fc.uint8Array({ maxLength: 16 })),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.nat(32),
    times: fc.nat(63),
  }),
);

function regressionsFor(name: string): Array<[string, Uint8Array]> {
  const folder = new URL(`${name}/`, regressionFolder);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.bin'))
    .map((file) => [file, new Uint8Array(readFileSync(new URL(file, folder)))]);
}

describe.each(targets.map((target) => [target.name, target] as const))(
  'fuzz %s',
  (name, target) => {
    const seeds = seedsFor(name);
    const runs = name === 'armor' || name === 'openpgp-message' ? 150 : 400;

    it('accepts its seeds', async () => {
      for (const seed of seeds) await expect(target.run(seed)).resolves.toBeTypeOf('string');
    });

    it('survives random bytes', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (data) => {
          await target.run(data);
        }),
        { seed: 0x5ea1, numRuns: runs },
      );
    });

    it('survives mutated seeds', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...seeds),
          fc.array(mutationArbitrary, { minLength: 1, maxLength: 8 }),
          async (seed, mutations) => {
            await target.run(mutate(seed, mutations));
          },
        ),
        { seed: 0x0b5e55ed, numRuns: runs },
      );
    });

    it('replays its regressions', async () => {
      for (const [, data] of regressionsFor(name)) {
        await expect(target.run(data)).resolves.toBeTypeOf('string');
      }
    });
  },
);
