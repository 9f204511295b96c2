// Runs the interop grid against GnuPG, Sequoia (sqop), GopenPGP (gosop), PGPainless and RNP as
// Debian 12 packages them, and writes docs/INTEROP.md from the run. A peer that is missing or
// lacks a feature is recorded as such; any cell that failed makes the test fail.
import { describe, expect, it } from 'vitest';
import { runGrid, type GridResult } from './grid.ts';
import { interopPeers } from './peers/all-peers.ts';
import { countOutcomes, renderReport } from './report.ts';
import { writeReport } from './report-path.ts';

describe('interop grid', () => {
  let result: GridResult;

  it('runs every peer and writes INTEROP.md', { timeout: 600_000 }, async () => {
    result = await runGrid(interopPeers());
    await writeReport(renderReport(result));
    expect(result.peers.map((peer) => peer.name)).toHaveLength(5);
    expect(result.cells).toHaveLength(5 * 3 * 2 * 3 * 2);
  });

  it('has no failed cell', () => {
    const failed = result.cells
      .filter((cell) => cell.outcome.status === 'failed')
      .map(
        (cell) =>
          `${cell.peer} ${cell.direction} ${cell.operation} ${cell.keys} armor=${cell.armor}: ${JSON.stringify(cell.outcome)}`,
      );
    expect(failed).toEqual([]);
  });

  it('installed peers work with compat keys', () => {
    for (const peer of result.peers.filter((candidate) => candidate.version !== null)) {
      const cells = result.cells.filter(
        (cell) =>
          cell.peer === peer.name && cell.keys === 'sealpost-compat' && cell.operation === 'sign',
      );
      expect(cells.map((cell) => `${peer.name} ${cell.direction}: ${cell.outcome.status}`)).toEqual(
        cells.map((cell) => `${peer.name} ${cell.direction}: ok`),
      );
    }
  });

  it('counts add up', () => {
    const counts = countOutcomes(result.cells);
    expect(counts.failedOurs + counts.failedPeer).toBe(0);
    expect(counts.ok + counts.unsupported + counts.unavailable).toBe(result.cells.length);
  });
});
