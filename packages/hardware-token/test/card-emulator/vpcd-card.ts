// Connects a card applet to vpcd (the virtual reader driver of vsmartcard) over TCP on
// 127.0.0.1. Wire format: each message is a 2-byte big-endian length and a payload. A 1-byte
// payload is a control code (0 power off, 1 power on, 2 reset, 4 request the ATR); any longer
// payload is a command APDU, and the card replies with the response APDU. Test code only.
import net from 'node:net';
import type { OpenPgpCardApplet } from './openpgp-card-applet.ts';

const CONTROL = { powerOff: 0, powerOn: 1, reset: 2, atr: 4 } as const;

/** An ATR announcing T=1 (the default of vsmartcard's virtual card). */
const ATR = Uint8Array.from([0x3b, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xff, 0x01, 0x00, 0x0b]);

export interface VpcdCardOptions {
  port: number;
  /** Called before each command APDU; returning 'remove' drops the connection like a pulled card. */
  beforeCommand?: (apdu: Uint8Array) => 'remove' | undefined;
}

export class VpcdCard {
  private socket: net.Socket | undefined;
  private buffer = Buffer.alloc(0);

  constructor(
    readonly applet: OpenPgpCardApplet,
    private readonly options: VpcdCardOptions,
  ) {}

  /** Inserts the card: connects to vpcd, retrying while pcscd starts (up to `timeoutMs`). */
  async insert(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        this.socket = await new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect({ host: '127.0.0.1', port: this.options.port });
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    this.socket.on('data', (chunk) => this.receive(chunk));
    this.socket.on('error', () => {
      // vpcd closing the connection while pcscd stops is expected.
    });
  }

  /** Removes the card: closes the connection, so pcscd reports the card absent. */
  async remove(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const length = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + length) return;
      const payload = new Uint8Array(this.buffer.subarray(2, 2 + length));
      this.buffer = this.buffer.subarray(2 + length);
      this.handle(payload);
    }
  }

  private handle(payload: Uint8Array): void {
    if (payload.length === 1) {
      const code = payload[0];
      if (code === CONTROL.atr) this.send(ATR);
      else if (code === CONTROL.powerOff || code === CONTROL.powerOn || code === CONTROL.reset) {
        this.applet.reset();
      }
      return;
    }
    if (this.options.beforeCommand?.(payload) === 'remove') {
      void this.remove();
      return;
    }
    this.send(this.applet.process(payload));
  }

  private send(payload: Uint8Array): void {
    const frame = Buffer.alloc(2 + payload.length);
    frame.writeUInt16BE(payload.length, 0);
    frame.set(payload, 2);
    this.socket?.write(frame);
  }
}
