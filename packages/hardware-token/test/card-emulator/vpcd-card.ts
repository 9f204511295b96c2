// Serves a card applet to vpcd (the virtual reader driver of vsmartcard) in vpcd's reverse
// mode: the card listens on 127.0.0.1 and vpcd connects to it, so no test process listens on
// another interface. Wire format: each message is a 2-byte big-endian length and a payload. A
// 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 request the ATR); any
// longer payload is a command APDU, and the card replies with the response APDU. Test code only.
import net from 'node:net';
import type { OpenPgpCardApplet } from './openpgp-card-applet.ts';

const CONTROL = { powerOff: 0, powerOn: 1, reset: 2, atr: 4 } as const;

/** An ATR announcing T=1 (the default of vsmartcard's virtual card). */
const ATR = Uint8Array.from([0x3b, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xff, 0x01, 0x00, 0x0b]);

/** Called before each command APDU; returning 'remove' drops the connection like a pulled card. */
export type BeforeCommand = (apdu: Uint8Array) => 'remove' | undefined;

/**
 * The card slot that vpcd connects to. While no card is inserted, each connection vpcd opens
 * is closed at once, which vpcd reports to pcscd as an empty reader.
 */
export class VpcdCardSocket {
  private card: { applet: OpenPgpCardApplet; beforeCommand?: BeforeCommand } | undefined;
  private readonly connections = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  /** Listens on 127.0.0.1 on a port the kernel picks; `port` names it for the reader config. */
  static async listen(): Promise<VpcdCardSocket> {
    const server = net.createServer();
    const socket = new VpcdCardSocket(server);
    server.on('connection', (connection) => socket.accept(connection));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return socket;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Inserts the card: the next connection from vpcd reaches `applet`. */
  insert(applet: OpenPgpCardApplet, beforeCommand?: BeforeCommand): void {
    this.card = { applet, beforeCommand };
  }

  /** Removes the card: drops the open connection, so pcscd reports the reader empty. */
  async remove(): Promise<void> {
    this.card = undefined;
    await this.dropConnections();
  }

  async close(): Promise<void> {
    this.card = undefined;
    await this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async dropConnections(): Promise<void> {
    const closing = [...this.connections].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.destroyed) resolve();
          else connection.once('close', () => resolve());
          connection.destroy();
        }),
    );
    await Promise.all(closing);
  }

  private accept(connection: net.Socket): void {
    connection.on('error', () => {
      // vpcd closing the connection while pcscd stops is expected.
    });
    const card = this.card;
    if (!card) {
      connection.destroy();
      return;
    }
    this.connections.add(connection);
    connection.once('close', () => this.connections.delete(connection));

    let buffer = Buffer.alloc(0);
    connection.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (buffer.length < 2 + length) return;
        const payload = new Uint8Array(buffer.subarray(2, 2 + length));
        buffer = buffer.subarray(2 + length);
        // A card removed while this connection was open answers nothing more.
        if (this.card !== card) {
          connection.destroy();
          return;
        }
        this.handle(connection, card, payload);
      }
    });
  }

  private handle(
    connection: net.Socket,
    card: { applet: OpenPgpCardApplet; beforeCommand?: BeforeCommand },
    payload: Uint8Array,
  ): void {
    if (payload.length === 1) {
      const code = payload[0];
      if (code === CONTROL.atr) send(connection, ATR);
      else if (code === CONTROL.powerOff || code === CONTROL.powerOn || code === CONTROL.reset) {
        card.applet.reset();
      }
      return;
    }
    if (card.beforeCommand?.(payload) === 'remove') {
      void this.remove();
      return;
    }
    send(connection, card.applet.process(payload));
  }
}

function send(connection: net.Socket, payload: Uint8Array): void {
  const frame = Buffer.alloc(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, 2);
  connection.write(frame);
}
