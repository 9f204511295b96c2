// Worker thread entry of ratchet mode: receives one request at a time from client.ts, runs the
// named operation and posts the result. Every ratchet step and ML-KEM operation happens here,
// never on the main thread. Errors cross as { code, message }; no secret is logged.
import { parentPort } from 'node:worker_threads';

import { RatchetError } from './errors.ts';
import { operations, type WorkerRequest, type WorkerResponse } from './operations.ts';

if (parentPort === null) {
  throw new Error('worker.ts is the ratchet worker entry; start it with new Worker(), not import.');
}
const port = parentPort;

port.on('message', (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    const operation = operations[request.operation] as ((input: unknown) => unknown) | undefined;
    if (typeof operation !== 'function') {
      throw new RatchetError(
        'INVALID_ARGUMENT',
        `Unknown ratchet operation "${request.operation}".`,
      );
    }
    response = { id: request.id, ok: true, result: operation(request.input) };
  } catch (error) {
    response =
      error instanceof RatchetError
        ? { id: request.id, ok: false, code: error.code, message: error.message }
        : {
            id: request.id,
            ok: false,
            code: 'WORKER_FAILED',
            message: `The ratchet worker failed: ${error instanceof Error ? error.message : String(error)}`,
          };
  }
  port.postMessage(response);
});
