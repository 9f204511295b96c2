// `pnpm interop`: runs the interop grid against the installed peers and writes
// docs/INTEROP.md. Exits with status 1 when a cell failed.
import { runGrid } from './grid.ts';
import { interopPeers } from './peers/all-peers.ts';
import { reportPath, writeReport } from './report-path.ts';
import { countOutcomes, renderReport } from './report.ts';

const result = await runGrid(interopPeers());
await writeReport(renderReport(result));
const counts = countOutcomes(result.cells);
process.stdout.write(`${reportPath}: ${JSON.stringify(counts)}\n`);
if (counts.failedOurs + counts.failedPeer > 0) process.exitCode = 1;
