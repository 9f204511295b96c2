// The compiled ratchet worker (dist-electron/ratchet-worker.mjs), which the packaged app starts
// because it contains no tsx. It must run on its own as a worker thread and respond to requests.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATCHET_WORKER_BUNDLE } from '../../scripts/build-electron.ts';
import { builtBundles } from './built-bundles.ts';

let worker: Worker;

/** Sends one request to the worker and returns its response. */
function request(id: number, operation: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (response: Record<string, unknown>) => {
      if (response['id'] !== id) return;
      worker.off('message', onMessage);
      resolve(response);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ id, operation, input: undefined });
  });
}

beforeAll(async () => {
  await builtBundles();
  worker = new Worker(RATCHET_WORKER_BUNDLE);
});

afterAll(async () => {
  await worker?.terminate();
});

describe('built ratchet worker', () => {
  it('contains no tsx loader', () => {
    expect(readFileSync(RATCHET_WORKER_BUNDLE, 'utf8')).not.toMatch(/tsImport|from ["']tsx/);
  });

  it('generates an identity key', async () => {
    const response = await request(1, 'generateIdentityKey');
    expect(response['ok']).toBe(true);
    expect(response['result']).toBeTruthy();
  });

  it('rejects an unknown operation', async () => {
    const response = await request(2, 'noSuchOperation');
    expect(response['ok']).toBe(false);
    expect(response['code']).toBe('INVALID_ARGUMENT');
  });
});
