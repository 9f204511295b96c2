// Benchmark of the desktop message list, not a test. It opens the app in headless Chromium on a
// folder of 100,000 stored messages and, as the peer in the same run, on one of 1,000. Each is
// scrolled by the same distance per animation frame while the Performance API records frame
// times (requestAnimationFrame timestamps) and long tasks (PerformanceObserver "longtask").
// Needs the local mail stack (bash scripts/mail-stack up). Run: pnpm exec tsx bench/message-list.ts

import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { BULK_FOLDER, openBulkMailbox } from '../apps/desktop/test/ui/bulk-mailbox.ts';

const FRAMES = 600;
const WARM_UP_FRAMES = 120;
const PIXELS_PER_FRAME = 4000;

/**
 * Scrolls the list by `step` pixels on each of `frames` animation frames and resolves to the
 * frame intervals, the long tasks seen meanwhile and the largest number of rows in the DOM.
 * The smaller peer wraps to the top at its end, so both scroll the same distance per frame.
 */
const SCROLL_SCRIPT = `({ frames, step }) => new Promise((resolve) => {
  const list = document.querySelector('[data-testid="message-list"]');
  const longTasks = [];
  const observer = new PerformanceObserver((entries) => {
    for (const entry of entries.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const deltas = [];
  let maxRows = 0;
  let last = -1;
  function frame(time) {
    if (last >= 0) deltas.push(time - last);
    last = time;
    maxRows = Math.max(maxRows, list.querySelectorAll('[role="option"]').length);
    const next = list.scrollTop + step;
    list.scrollTop = next + list.clientHeight >= list.scrollHeight ? 0 : next;
    if (deltas.length < frames) {
      requestAnimationFrame(frame);
    } else {
      observer.disconnect();
      resolve({ deltas, longTasks, maxRows });
    }
  }
  requestAnimationFrame(frame);
})`;

interface ScrollMeasurement {
  messages: number;
  frames: number;
  medianFrameMs: number;
  p95FrameMs: number;
  maxFrameMs: number;
  longTasks: number;
  longTaskMs: number;
  maxRowsInDom: number;
  pageRequests: number;
  setupSeconds: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function measure(count: number): Promise<ScrollMeasurement> {
  const setupStart = performance.now();
  const app = await openBulkMailbox(`bench-${count}`, count);
  try {
    const page = app.page;
    await page.getByRole('button', { name: /^INBOX, / }).click();
    await page.getByRole('button', { name: new RegExp(`^${BULK_FOLDER}, `) }).click();
    await page
      .getByRole('option')
      .filter({ hasText: `Bulk message ${count}` })
      .waitFor();
    const setupSeconds = (performance.now() - setupStart) / 1000;
    // The sync at start competes for the CPU, so measuring waits until it has finished.
    await page.getByRole('progressbar', { name: 'Sync progress' }).waitFor({ state: 'hidden' });
    const list = page.getByTestId('message-list');

    // Built from source text at run time, because tsx adds helper calls (__name) to compiled
    // functions, and the page that runs this function's text does not have them.
    const scroll = new Function(`return ${SCROLL_SCRIPT}`)() as (options: {
      frames: number;
      step: number;
    }) => Promise<{ deltas: number[]; longTasks: number[]; maxRows: number }>;
    // A warm-up pass first, so compiling the page's code is not counted in either run.
    await page.evaluate(scroll, { frames: WARM_UP_FRAMES, step: PIXELS_PER_FRAME });
    await list.evaluate((element) => (element.scrollTop = 0));
    app.pageRequests.length = 0;
    const result = await page.evaluate(scroll, { frames: FRAMES, step: PIXELS_PER_FRAME });

    const sorted = [...result.deltas].sort((a, b) => a - b);
    return {
      messages: count,
      frames: sorted.length,
      medianFrameMs: round(percentile(sorted, 0.5)),
      p95FrameMs: round(percentile(sorted, 0.95)),
      maxFrameMs: round(sorted[sorted.length - 1]!),
      longTasks: result.longTasks.length,
      longTaskMs: round(result.longTasks.reduce((sum, duration) => sum + duration, 0)),
      maxRowsInDom: result.maxRows,
      pageRequests: app.pageRequests.length,
      setupSeconds: round(setupSeconds),
    };
  } finally {
    await app.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  const peer = await measure(1_000);
  const large = await measure(100_000);
  console.log(
    JSON.stringify(
      {
        machine: {
          cpus: os.cpus().length,
          model: os.cpus()[0]?.model ?? 'unknown',
          memoryGiB: Math.round(os.totalmem() / 2 ** 30),
          node: process.version,
        },
        framesPerRun: FRAMES,
        pixelsPerFrame: PIXELS_PER_FRAME,
        peer,
        large,
        ratios: {
          medianFrame: round(large.medianFrameMs / peer.medianFrameMs),
          p95Frame: round(large.p95FrameMs / peer.p95FrameMs),
          maxFrame: round(large.maxFrameMs / peer.maxFrameMs),
        },
      },
      null,
      2,
    ),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
