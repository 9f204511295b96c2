// CTAPHID framing (CTAP 2.1), with each packet one 64-byte HID report. A message
// starts with an initialization packet: channel ID, command with bit 7 set, 2-byte payload
// length and 57 payload bytes. Up to 128 continuation packets follow, each with the channel ID,
// a sequence number 0-127 and 59 payload bytes.
import { HardwareTokenError } from '../errors.ts';

export const REPORT_SIZE = 64;
const INIT_DATA = REPORT_SIZE - 7;
const CONT_DATA = REPORT_SIZE - 5;
/** Largest payload that fits one initialization and 128 continuation packets. */
export const MAX_MESSAGE_SIZE = INIT_DATA + 128 * CONT_DATA;
export const BROADCAST_CHANNEL = 0xffffffff;

/** CTAPHID command codes without the initialization bit (CTAP 2.1). */
export const CTAPHID = {
  ping: 0x01,
  msg: 0x03,
  init: 0x06,
  wink: 0x08,
  cbor: 0x10,
  cancel: 0x11,
  keepalive: 0x3b,
  error: 0x3f,
} as const;

export interface CtapHidMessage {
  channel: number;
  command: number;
  payload: Uint8Array;
}

function frameError(detail: string): HardwareTokenError {
  return new HardwareTokenError(
    'FIDO_FRAME_MALFORMED',
    `The security key sent a malformed CTAPHID frame: ${detail}. Reconnect the key and try again.`,
  );
}

/** Splits a message into 64-byte reports. */
export function encodeFrames(message: CtapHidMessage): Uint8Array[] {
  const { channel, command, payload } = message;
  if (payload.length > MAX_MESSAGE_SIZE) {
    throw new RangeError(`CTAPHID payload of ${payload.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  }
  const frames: Uint8Array[] = [];
  const first = new Uint8Array(REPORT_SIZE);
  const view = new DataView(first.buffer);
  view.setUint32(0, channel >>> 0);
  first[4] = 0x80 | command;
  view.setUint16(5, payload.length);
  first.set(payload.subarray(0, INIT_DATA), 7);
  frames.push(first);

  for (
    let offset = INIT_DATA, sequence = 0;
    offset < payload.length;
    offset += CONT_DATA, sequence += 1
  ) {
    const frame = new Uint8Array(REPORT_SIZE);
    new DataView(frame.buffer).setUint32(0, channel >>> 0);
    frame[4] = sequence;
    frame.set(payload.subarray(offset, offset + CONT_DATA), 5);
    frames.push(frame);
  }
  return frames;
}

/** Reassembles reports into messages; frames of other channels are left to the caller. */
export class FrameAssembler {
  private current:
    | { channel: number; command: number; payload: Uint8Array; received: number; sequence: number }
    | undefined;

  /** Adds one report; returns the message once its last packet arrived. */
  push(frame: Uint8Array): CtapHidMessage | undefined {
    if (frame.length < REPORT_SIZE)
      throw frameError(`report of ${frame.length} bytes instead of ${REPORT_SIZE}`);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const channel = view.getUint32(0);
    const head = frame[4]!;

    if ((head & 0x80) !== 0) {
      const length = view.getUint16(5);
      if (length > MAX_MESSAGE_SIZE)
        throw frameError(`declared length ${length} exceeds ${MAX_MESSAGE_SIZE}`);
      const payload = new Uint8Array(length);
      const part = frame.subarray(7, 7 + Math.min(length, INIT_DATA));
      payload.set(part);
      this.current = { channel, command: head & 0x7f, payload, received: part.length, sequence: 0 };
    } else {
      const current = this.current;
      if (!current || current.channel !== channel)
        throw frameError('continuation packet without an initialization packet');
      if (head !== current.sequence)
        throw frameError(`sequence ${head} where ${current.sequence} was expected`);
      const part = frame.subarray(
        5,
        5 + Math.min(current.payload.length - current.received, CONT_DATA),
      );
      current.payload.set(part, current.received);
      current.received += part.length;
      current.sequence += 1;
    }

    const done = this.current!;
    if (done.received < done.payload.length) return undefined;
    this.current = undefined;
    return { channel: done.channel, command: done.command, payload: done.payload };
  }
}
