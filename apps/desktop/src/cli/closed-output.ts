// Keeps the command running when the reader of standard output goes away (`sealpost read 1 |
// head`). Writing to a closed pipe fails with EPIPE; the command still finishes its action, so
// a send that went out exits 0, and later output is dropped instead of ending in a stack trace.

/** Drops standard output after EPIPE; any other write error ends the command as before. */
export function ignoreClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}
