// A TCP proxy on 127.0.0.1 for fault tests: it forwards to a local server (Dovecot or Postfix)
// and, by a seeded schedule, refuses connections or cuts them after a number of bytes, which
// is how a dropped network looks to a client. It can also stall, accepting connections and
// never replying as a hung server does. Or it calls back once the client sent a number of
// bytes, so a test can kill the client process at that point. TLS passes through it untouched.

import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';

export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  /** Cut each connection after a random count of server-to-client bytes in [min, max). */
  | { kind: 'cut-downstream'; minBytes: number; maxBytes: number }
  /** Cut each connection once the client has sent more than `afterBytes` (e.g. mid-DATA). */
  | { kind: 'cut-upstream'; afterBytes: number }
  /** Accept connections, then never forward or reply. */
  | { kind: 'stall' }
  /**
   * Forward until the client has sent more than `afterBytes` over all connections since the
   * mode was set, then drop everything and call `onCross` once.
   */
  | { kind: 'trip-upstream'; afterBytes: number; onCross: () => void };

export class CuttingProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #random: () => number;
  #mode: ProxyMode = { kind: 'pass' };
  /** Client bytes seen since the mode was last set. */
  #upstreamTotal = 0;
  #tripped = false;
  /** Connections this proxy cut or refused. */
  cuts = 0;
  connections = 0;

  private constructor(
    server: net.Server,
    readonly port: number,
    seed: number,
  ) {
    this.#server = server;
    this.#random = mulberry32(seed);
  }

  static async start(targetPort: number, seed: number): Promise<CuttingProxy> {
    let proxy: CuttingProxy | null = null;
    const server = net.createServer((client) => proxy!.handle(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttingProxy(server, (server.address() as net.AddressInfo).port, seed);
    return proxy;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  set mode(mode: ProxyMode) {
    this.#mode = mode;
    this.#upstreamTotal = 0;
    this.#tripped = false;
  }

  reseed(seed: number): void {
    this.#random = mulberry32(seed);
  }

  handle(client: net.Socket, targetPort: number): void {
    this.connections += 1;
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => {});
    const mode = this.mode;
    if (mode.kind === 'refuse') {
      this.cuts += 1;
      client.destroy();
      return;
    }
    if (mode.kind === 'stall') return;

    const upstream = net.connect(targetPort, '127.0.0.1');
    this.#sockets.add(upstream);
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());

    const downLimit =
      mode.kind === 'cut-downstream'
        ? mode.minBytes + Math.floor(this.#random() * (mode.maxBytes - mode.minBytes))
        : Infinity;
    const upLimit = mode.kind === 'cut-upstream' ? mode.afterBytes : Infinity;
    let down = 0;
    let up = 0;
    const cut = (): void => {
      this.cuts += 1;
      client.destroy();
      upstream.destroy();
    };

    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
      if (down > downLimit) {
        client.write(chunk.subarray(0, chunk.length - (down - downLimit)));
        cut();
        return;
      }
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (mode.kind === 'trip-upstream' && this.#mode === mode) {
        if (this.#tripped) return;
        this.#upstreamTotal += chunk.length;
        if (this.#upstreamTotal > mode.afterBytes) {
          this.#tripped = true;
          mode.onCross();
          return;
        }
      }
      up += chunk.length;
      if (up > upLimit) {
        cut();
        return;
      }
      upstream.write(chunk);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A small seeded PRNG, so a failing schedule can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Proxies in front of the local stack's submission (1587) and IMAP (1143) ports. */
export interface MailProxies {
  smtp: CuttingProxy;
  imap: CuttingProxy;
}

/**
 * Starts the two proxies before the tests of the calling suite and closes them after. The
 * returned object is filled in by the time the first test runs.
 */
export function useMailProxies(): MailProxies {
  const proxies = {} as MailProxies;
  beforeAll(async () => {
    proxies.smtp = await CuttingProxy.start(1587, 1);
    proxies.imap = await CuttingProxy.start(1143, 1);
  });
  afterAll(async () => {
    await proxies.smtp?.close();
    await proxies.imap?.close();
  });
  return proxies;
}
