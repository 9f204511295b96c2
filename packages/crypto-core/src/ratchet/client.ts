// RatchetClient: the async API of ratchet mode for the main thread. It starts worker.ts in a
// worker_threads Worker and forwards each call there, so the main thread never runs a ratchet
// step or an ML-KEM operation. The worker is the compiled ratchet-worker.mjs in a bundled
// build, and worker.ts loaded through tsx when running from source.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { RATCHET_ERROR_CODES, RatchetError, type RatchetErrorCode } from './errors.ts';
import type {
  OperationInput,
  OperationName,
  OperationResult,
  WorkerRequest,
  WorkerResponse,
} from './operations.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The name a bundled build gives the compiled worker, next to the bundle that imports this. */
const RATCHET_WORKER_BUNDLE = 'ratchet-worker.mjs';

function workerEntry(): URL {
  const compiled = new URL(`./${RATCHET_WORKER_BUNDLE}`, import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : workerBootstrap();
}

/**
 * Builds a data: URL module that loads worker.ts through tsx's tsImport. Node 20 did not apply
 * tsx when given as `--import` in the worker's execArgv (checked with Node 20.20), so the worker
 * loads tsx itself. Absolute file URLs make it independent of the working directory.
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

export class RatchetClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: RatchetError | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (response: WorkerResponse) => this.settle(response));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (exitCode) => {
      this.failAll(new Error(`the ratchet worker exited with code ${exitCode}`));
    });
    worker.unref();
  }

  /** Starts the worker thread. Call close() when done; an idle worker does not keep Node alive. */
  static start(): RatchetClient {
    const worker = new Worker(workerEntry());
    return new RatchetClient(worker);
  }

  /** The worker's thread id, so tests can check where the work ran. */
  get threadId(): number {
    return this.worker.threadId;
  }

  generateIdentityKey() {
    return this.call('generateIdentityKey', undefined);
  }

  generatePrekey(input: OperationInput<'generatePrekey'>) {
    return this.call('generatePrekey', input);
  }

  startSession(input: OperationInput<'startSession'>) {
    return this.call('startSession', input);
  }

  encrypt(input: OperationInput<'encrypt'>) {
    return this.call('encrypt', input);
  }

  decrypt(input: OperationInput<'decrypt'>) {
    return this.call('decrypt', input);
  }

  readFirstMessageInfo(input: OperationInput<'readFirstMessageInfo'>) {
    return this.call('readFirstMessageInfo', input);
  }

  sealForRecipients(input: OperationInput<'seal'>) {
    return this.call('seal', input);
  }

  openSealed(input: OperationInput<'open'>) {
    return this.call('open', input);
  }

  /** Stops the worker; pending calls fail with WORKER_FAILED. */
  async close(): Promise<void> {
    this.failure ??= new RatchetError('WORKER_FAILED', 'The ratchet client was closed.');
    await this.worker.terminate();
  }

  private call<Name extends OperationName>(
    operation: Name,
    input: OperationInput<Name>,
  ): Promise<OperationResult<Name>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<OperationResult<Name>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      const request: WorkerRequest = { id, operation, input };
      this.worker.postMessage(request);
    });
  }

  private settle(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.ok) {
      pending.resolve(response.result);
      return;
    }
    const code = (RATCHET_ERROR_CODES as readonly string[]).includes(response.code)
      ? (response.code as RatchetErrorCode)
      : 'WORKER_FAILED';
    pending.reject(new RatchetError(code, response.message));
  }

  private failAll(cause: unknown): void {
    const detail = cause instanceof Error ? cause.message : String(cause);
    this.failure ??= new RatchetError(
      'WORKER_FAILED',
      `The ratchet worker stopped (${detail}). Start a new RatchetClient; no session state was changed.`,
      { cause },
    );
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}
