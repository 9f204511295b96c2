// Block coverage of the code under test, read from V8's precise coverage through the
// inspector of the current thread. Each call returns the blocks that ran since the previous
// call, so the long fuzz run can keep exactly the inputs that reach new blocks.

import { Session } from 'node:inspector/promises';

/** Sources whose blocks count: our packages and openpgp.js, which reads OpenPGP data for us. */
const COVERED_SOURCE = /\/packages\/[^/]+\/src\/|\/openpgp\/dist\//;

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  url: string;
  functions: Array<{ ranges: CoverageRange[] }>;
}

/**
 * V8 reports a block only where its count differs from the enclosing range, so a block that
 * runs as often as its function is listed as a count-0 range while it never runs and vanishes
 * once it does. A block therefore counts as covered when it is listed with a count, or when its
 * function ran and the block's count-0 range seen earlier is missing.
 */
export class BlockCoverage {
  readonly #session = new Session();
  readonly #covered = new Set<string>();
  /** Count-0 ranges seen so far, by function key. */
  readonly #uncovered = new Map<string, Set<string>>();

  /** Starts counting; counts before this call are not reported. */
  async start(): Promise<void> {
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    await this.#session.post('Profiler.takePreciseCoverage');
  }

  /** Returns how many blocks ran for the first time since the previous call, and resets counts. */
  async takeNewBlocks(): Promise<number> {
    const { result } = (await this.#session.post('Profiler.takePreciseCoverage')) as unknown as {
      result: ScriptCoverage[];
    };
    let fresh = 0;
    const cover = (key: string): void => {
      if (this.#covered.has(key)) return;
      this.#covered.add(key);
      fresh += 1;
    };
    for (const script of result) {
      if (!COVERED_SOURCE.test(script.url)) continue;
      for (const fn of script.functions) {
        const [whole, ...blocks] = fn.ranges;
        if (!whole || whole.count === 0) continue;
        const functionKey = `${script.url}:${whole.startOffset}:${whole.endOffset}`;
        cover(functionKey);

        const zeroNow = new Set<string>();
        for (const range of blocks) {
          const key = `${script.url}:${range.startOffset}:${range.endOffset}`;
          if (range.count > 0) cover(key);
          else zeroNow.add(key);
        }
        let known = this.#uncovered.get(functionKey);
        if (!known) {
          known = new Set();
          this.#uncovered.set(functionKey, known);
        }
        for (const key of known) if (!zeroNow.has(key)) cover(key);
        for (const key of zeroNow) known.add(key);
      }
    }
    return fresh;
  }

  /** Number of distinct functions and blocks seen running so far. */
  get size(): number {
    return this.#covered.size;
  }
}
