// An SMTP proxy on 127.0.0.1 for fault tests of temporary server replies. It ends implicit TLS
// (RFC 8314 submissions) with the mail stack's certificate, forwards each command line to the
// real Postfix over TLS, and replies to chosen commands itself with a 4yz reply (RFC 5321 section
// 4.2.1), which a healthy Postfix never sends on demand. Postfix's other replies pass through,
// except that its EHLO reply loses PIPELINING.

import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';

export interface ReplyFaults {
  /** RCPT TO commands still to reject with `450 4.2.0`. */
  rcpt: number;
  /** Message bodies still to drop and reject with `452 4.3.1` after the final ".". */
  data: number;
}

export class SmtpReplyProxy {
  readonly faults: ReplyFaults = { rcpt: 0, data: 0 };
  /** Messages whose final "." this proxy forwarded to Postfix. */
  forwardedMessages = 0;
  readonly #server: tls.Server;
  readonly #sockets = new Set<net.Socket>();

  private constructor(
    server: tls.Server,
    readonly port: number,
  ) {
    this.#server = server;
  }

  /** Starts the proxy in front of Postfix's submissions port `targetPort`. */
  static async start(
    targetPort: number,
    keyFile: string,
    certFile: string,
  ): Promise<SmtpReplyProxy> {
    const cert = readFileSync(certFile, 'utf8');
    let proxy: SmtpReplyProxy | null = null;
    const server = tls.createServer({ key: readFileSync(keyFile), cert }, (client) =>
      proxy!.handle(client, targetPort, cert),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new SmtpReplyProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  handle(client: tls.TLSSocket, targetPort: number, cert: string): void {
    const upstream = tls.connect({ host: '127.0.0.1', port: targetPort, ca: [cert] });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Without PIPELINING (RFC 2920) the client waits for each reply, so a reply the proxy makes
    // up cannot overtake a reply that Postfix has not sent yet.
    upstream.on('data', (chunk: Buffer) =>
      client.write(chunk.toString('latin1').replace(/^250-PIPELINING\r\n/gm, ''), 'latin1'),
    );

    let pending = '';
    let inData = false;
    let swallowing = false;
    client.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end = pending.indexOf('\r\n');
      while (end !== -1) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        end = pending.indexOf('\r\n');

        if (inData) {
          if (line === '.') {
            inData = false;
            if (swallowing) {
              swallowing = false;
              client.write('452 4.3.1 Insufficient system storage, try again later\r\n');
              continue;
            }
            this.forwardedMessages += 1;
          }
          if (!swallowing) upstream.write(`${line}\r\n`, 'latin1');
          continue;
        }

        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'RCPT' && this.faults.rcpt > 0) {
          this.faults.rcpt -= 1;
          client.write('450 4.2.0 Mailbox busy, try again later\r\n');
          continue;
        }
        if (verb === 'DATA') {
          inData = true;
          if (this.faults.data > 0) {
            this.faults.data -= 1;
            swallowing = true;
            client.write('354 End data with <CR><LF>.<CR><LF>\r\n');
            continue;
          }
        }
        upstream.write(`${line}\r\n`, 'latin1');
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
