// Layout of the shared memory between fuzz/run.ts and its worker. Int32 index 0 is a heartbeat
// counter raised after every input, Int32 index 1 the current input's length, and the input
// bytes start at INPUT_OFFSET. The watchdog reads them to save an input that hangs.

export const INPUT_OFFSET = 8;

/** Largest input the worker generates; mutate() caps its output at this length. */
export const MAX_INPUT_BYTES = 1 << 20;
