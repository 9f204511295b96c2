// CTAPHID transactions (CTAP 2.1): channel allocation with CTAPHID_INIT, request
// and response over the allocated channel, KEEPALIVE handling while the authenticator waits
// for a touch, and CTAPHID_CANCEL when the caller's timeout expires.
import { randomBytes } from 'node:crypto';
import { HardwareTokenError } from '../errors.ts';
import {
  BROADCAST_CHANNEL,
  CTAPHID,
  FrameAssembler,
  encodeFrames,
  type CtapHidMessage,
} from './ctaphid-frames.ts';
import type { HidTransport } from './hid-transport.ts';

/** KEEPALIVE status byte 2: the authenticator waits for user presence (a touch). */
export const KEEPALIVE_UP_NEEDED = 2;

/** CTAPHID_ERROR codes (CTAP 2.1). */
const HID_ERRORS: Record<number, string> = {
  0x01: 'invalid command',
  0x02: 'invalid parameter',
  0x03: 'invalid length',
  0x04: 'invalid sequence',
  0x05: 'message timeout',
  0x06: 'channel busy',
  0x0a: 'lock required',
  0x0b: 'invalid channel',
  0x7f: 'other error',
};

export interface TransactionOptions {
  /** How long to wait for the response, including the user's touch, in milliseconds. */
  timeoutMs: number;
  /** Called with the KEEPALIVE status (1 processing, 2 touch needed). */
  onKeepalive?: (status: number) => void;
}

/** Per-report read timeout; short, so the overall deadline is checked often. */
const READ_SLICE_MS = 100;

export class CtapHidDevice {
  private constructor(
    private readonly transport: HidTransport,
    readonly channel: number,
    readonly capabilities: number,
  ) {}

  /** Allocates a channel on the authenticator behind `transport` (CTAPHID_INIT). */
  static async open(transport: HidTransport, timeoutMs = 2_000): Promise<CtapHidDevice> {
    const nonce = new Uint8Array(randomBytes(8));
    const deadline = Date.now() + timeoutMs;
    for (const frame of encodeFrames({
      channel: BROADCAST_CHANNEL,
      command: CTAPHID.init,
      payload: nonce,
    })) {
      await transport.write(frame);
    }
    const assembler = new FrameAssembler();
    while (Date.now() < deadline) {
      const report = await transport.read(READ_SLICE_MS);
      if (!report) continue;
      const message = assembler.push(report);
      if (!message || message.channel !== BROADCAST_CHANNEL || message.command !== CTAPHID.init)
        continue;
      // Response: nonce (8), new channel (4), protocol version, 3 version bytes, capabilities.
      if (
        message.payload.length < 17 ||
        !nonce.every((byte, index) => byte === message.payload[index])
      )
        continue;
      const view = new DataView(message.payload.buffer, message.payload.byteOffset);
      return new CtapHidDevice(transport, view.getUint32(8), message.payload[16]!);
    }
    throw new HardwareTokenError(
      'FIDO_TIMEOUT',
      `The security key did not answer CTAPHID_INIT within ${timeoutMs} ms. Reconnect it and try again.`,
    );
  }

  /** Sends `payload` as `command` and returns the response payload. */
  async transaction(
    command: number,
    payload: Uint8Array,
    options: TransactionOptions,
  ): Promise<Uint8Array> {
    for (const frame of encodeFrames({ channel: this.channel, command, payload })) {
      await this.transport.write(frame);
    }

    const deadline = Date.now() + options.timeoutMs;
    const assembler = new FrameAssembler();
    for (;;) {
      if (Date.now() >= deadline) {
        await this.cancel();
        throw new HardwareTokenError(
          'FIDO_TIMEOUT',
          `The security key did not respond within ${options.timeoutMs} ms; no touch was detected. Touch the key when it blinks and try again.`,
        );
      }
      const report = await this.transport.read(READ_SLICE_MS);
      if (!report) continue;
      let message: CtapHidMessage | undefined;
      try {
        message = assembler.push(report);
      } catch (error) {
        if (error instanceof HardwareTokenError && error.code === 'FIDO_FRAME_MALFORMED') continue;
        throw error;
      }
      if (!message || message.channel !== this.channel) continue;

      if (message.command === CTAPHID.keepalive) {
        options.onKeepalive?.(message.payload[0] ?? 0);
        continue;
      }
      if (message.command === CTAPHID.error) {
        const code = message.payload[0] ?? 0x7f;
        throw new HardwareTokenError(
          code === 0x05 ? 'FIDO_TIMEOUT' : 'FIDO_TRANSPORT_FAILED',
          `The security key reported a CTAPHID error: ${HID_ERRORS[code] ?? `code ${code}`}. Reconnect it and try again.`,
        );
      }
      if (message.command !== command) {
        throw new HardwareTokenError(
          'FIDO_FRAME_MALFORMED',
          `The security key answered command ${message.command} to command ${command}. Reconnect it and try again.`,
        );
      }
      return message.payload;
    }
  }

  /** Asks the authenticator to abandon the pending request (CTAPHID_CANCEL has no response). */
  private async cancel(): Promise<void> {
    for (const frame of encodeFrames({
      channel: this.channel,
      command: CTAPHID.cancel,
      payload: new Uint8Array(0),
    })) {
      await this.transport.write(frame);
    }
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
