// Layout of the shared memory between fuzz/run.ts and its worker: a heartbeat counter (Int32
// at index 0, raised after every input), the current input's length (Int32 at index 1) and
// the input bytes from INPUT_OFFSET, so the watchdog can save the input that hangs.

export const INPUT_OFFSET = 8;

/** Largest input the worker generates; mutate() caps its output at this length. */
export const MAX_INPUT_BYTES = 1 << 20;
