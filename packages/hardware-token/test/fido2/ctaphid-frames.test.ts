// CTAPHID framing in the published format (CTAP 2.1): 64-byte reports, one
// initialization packet with 57 payload bytes, continuation packets with 59.
import { describe, expect, it } from 'vitest';
import {
  CTAPHID,
  FrameAssembler,
  MAX_MESSAGE_SIZE,
  encodeFrames,
} from '../../src/fido2/ctaphid-frames.ts';
import { HardwareTokenError } from '../../src/index.ts';

const CHANNEL = 0x01020304;

function payloadOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => index & 0xff);
}

describe('CTAPHID frames', () => {
  it('writes the initialization packet header', () => {
    const [first] = encodeFrames({
      channel: CHANNEL,
      command: CTAPHID.cbor,
      payload: payloadOf(5),
    });
    expect(first).toHaveLength(64);
    // Channel 01020304, command 0x90 (CBOR with the initialization bit), length 5, payload.
    expect(Buffer.from(first!.subarray(0, 12)).toString('hex')).toBe('010203049000050001020304');
    expect(first!.subarray(12).every((byte) => byte === 0)).toBe(true);
  });

  it('splits 100 bytes into two packets', () => {
    const frames = encodeFrames({
      channel: CHANNEL,
      command: CTAPHID.cbor,
      payload: payloadOf(100),
    });
    expect(frames).toHaveLength(2);
    const [first, second] = frames as [Uint8Array, Uint8Array];
    expect(Array.from(first.subarray(0, 7))).toEqual([1, 2, 3, 4, 0x90, 0x00, 100]);
    expect(first[63]).toBe(56);
    // Continuation: channel, sequence 0, then bytes 57..99 of the payload.
    expect(Array.from(second.subarray(0, 6))).toEqual([1, 2, 3, 4, 0x00, 57]);
    expect(second[5 + 42]).toBe(99);
    expect(second.subarray(5 + 43).every((byte) => byte === 0)).toBe(true);
  });

  it('round-trips the largest message', () => {
    const payload = payloadOf(MAX_MESSAGE_SIZE);
    const frames = encodeFrames({ channel: CHANNEL, command: CTAPHID.ping, payload });
    expect(frames).toHaveLength(129);
    expect(frames[128]![4]).toBe(127);
    const assembler = new FrameAssembler();
    const results = frames.map((frame) => assembler.push(frame));
    expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
    expect(results.at(-1)).toEqual({ channel: CHANNEL, command: CTAPHID.ping, payload });
  });

  it('rejects a payload past the limit', () => {
    expect(() =>
      encodeFrames({
        channel: CHANNEL,
        command: CTAPHID.ping,
        payload: payloadOf(MAX_MESSAGE_SIZE + 1),
      }),
    ).toThrow(RangeError);
  });

  it('rejects an out-of-order continuation', () => {
    const frames = encodeFrames({
      channel: CHANNEL,
      command: CTAPHID.cbor,
      payload: payloadOf(200),
    });
    const assembler = new FrameAssembler();
    assembler.push(frames[0]!);
    let caught: unknown;
    try {
      assembler.push(frames[2]!);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HardwareTokenError);
    expect((caught as HardwareTokenError).code).toBe('FIDO_FRAME_MALFORMED');
  });

  it('rejects a continuation without start', () => {
    const frames = encodeFrames({
      channel: CHANNEL,
      command: CTAPHID.cbor,
      payload: payloadOf(80),
    });
    expect(() => new FrameAssembler().push(frames[1]!)).toThrow(/without an initialization packet/);
  });
});
