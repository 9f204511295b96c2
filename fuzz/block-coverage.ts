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

export class BlockCoverage {
  readonly #session = new Session();
  readonly #seen = new Set<string>();

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
    for (const script of result) {
      if (!COVERED_SOURCE.test(script.url)) continue;
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          const key = `${script.url}:${range.startOffset}:${range.endOffset}`;
          if (this.#seen.has(key)) continue;
          this.#seen.add(key);
          fresh += 1;
        }
      }
    }
    return fresh;
  }

  /** Number of distinct blocks seen so far. */
  get size(): number {
    return this.#seen.size;
  }
}
