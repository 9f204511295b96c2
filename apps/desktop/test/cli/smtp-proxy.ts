// A TCP proxy on 127.0.0.1 in front of the stack's submission port, for CLI tests that need the
// SMTP server to hang or to become unreachable after the account was added through it.

import net from 'node:net';
import { SMTP_SUBMISSION_PORT } from '../e2e/stack.ts';

/**
 * Forwards each connection to the stack's submission port. While `stalled` it accepts
 * connections and never replies, like a server that hangs, and reports each one through
 * `onStalledConnection`. After `close` the port refuses connections.
 */
export class SmtpProxy {
  stalled = false;
  onStalledConnection: (() => void) | null = null;
  readonly #sockets = new Set<net.Socket>();
  readonly #server = net.createServer((client) => {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => undefined);
    if (this.stalled) {
      this.onStalledConnection?.();
      return;
    }
    const upstream = net.connect(SMTP_SUBMISSION_PORT, '127.0.0.1');
    this.#sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });

  /** Starts listening on a free 127.0.0.1 port and returns it. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Destroys every open connection and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
