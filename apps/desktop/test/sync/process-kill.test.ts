// Kill tests of sync against the real Dovecot. A child process syncing a folder of 1,500
// messages into a data folder is killed with SIGKILL at seeded random points, several times in
// a row, and then a last run completes. Afterwards the local folder equals the server's: no
// message lost, none duplicated, flags right, no body missing.

import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueAddress } from '../e2e/stack.ts';
import { mulberry32 } from './cutting-proxy.ts';
import {
  createSyncHome,
  localSnapshot,
  populateMailbox,
  runChild,
  serverSnapshot,
} from './sync-fixtures.ts';

const MESSAGE_COUNT = 1_500;
const SEEDS = [11, 22, 33];
/** Kills per seed before the run that may finish. */
const KILLS = 3;

describe('sync killed with SIGKILL', () => {
  const address = uniqueAddress('kill-sync');

  beforeAll(async () => {
    await populateMailbox(address, MESSAGE_COUNT, 21);
  });

  for (const seed of SEEDS) {
    it(`resumes without loss or duplicates (seed ${seed})`, { timeout: 240_000 }, async () => {
      const random = mulberry32(seed);
      const home = await createSyncHome(address);
      try {
        let killed = 0;
        for (let round = 0; round < KILLS; round += 1) {
          // A kill point from the first batch of headers to well into the bodies: 1,500
          // messages make 3 header and 15 body batches, so the first round is always killed.
          const run = await runChild(
            home,
            { action: 'sync' },
            {
              killAfterProgress: {
                batches: 1 + Math.floor(random() * 8),
                delayMs: Math.floor(random() * 40),
              },
            },
          );
          expect(run.stderr).toBe('');
          if (run.killed) killed += 1;
        }
        const last = await runChild(home, { action: 'sync' });
        expect(last.stderr).toBe('');
        expect(last.result).not.toBeNull();

        const sealpost = await home.open();
        try {
          const server = await serverSnapshot(address);
          const local = localSnapshot(sealpost);
          expect(killed).toBeGreaterThan(0);
          expect(local.rows).toBe(MESSAGE_COUNT);
          expect(local.rows).toBe(server.size);
          expect(local.distinctMessageIds).toBe(server.size);
          expect(local.withoutBody).toBe(0);
          expect(local.flags).toEqual(server);
        } finally {
          sealpost.close();
        }
      } finally {
        home.remove();
      }
    });
  }
});
