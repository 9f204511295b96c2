// IMAP APPEND of a message read from a file (RFC 9051 section 6.3.12), for messages too large
// to hold in memory. imapflow 2.10 takes APPEND content only as one Buffer, so this opens its
// own short connection: TLS or STARTTLS verified as for ImapSession, then LOGIN with literals.
// The file goes out as a synchronizing literal of its known length, chunk by chunk.

import { createReadStream } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

import { toImapConnectError } from './imap-errors.ts';
import { checkServerConfig, tlsOptions, type ServerConfig } from '../server-config.ts';
import { TransportError, assertArgument } from '../transport-error.ts';

/** TCP and TLS handshake budget, as for ImapSession. */
const CONNECTION_TIMEOUT_MS = 15_000;

/** Idle time before the socket is dropped, long enough for a server to store a large message. */
const SOCKET_TIMEOUT_MS = 5 * 60_000;

/** Maximum length of a reply line; more bytes without a CRLF are a protocol error. */
const MAX_LINE_BYTES = 64 * 1024;

export interface AppendFileInput {
  /** Mailbox path as listFolders() returns it; printable ASCII only. */
  path: string;
  file: string;
  /** The file's length in bytes, announced as the literal's length. */
  size: number;
  flags?: string[];
}

/**
 * Connects, logs in, appends the file's bytes to `path` and logs out. Raises IMAP_AUTH_FAILED,
 * IMAP_CONNECTION_FAILED, TLS_CERTIFICATE_INVALID or IMAP_COMMAND_FAILED (with the server's
 * reply) when the server refuses the APPEND.
 */
export async function appendFile(server: ServerConfig, input: AppendFileInput): Promise<void> {
  const checked = checkServerConfig(server);
  assertArgument(
    typeof input.path === 'string' && /^[\x20-\x7e]+$/.test(input.path),
    `path ${JSON.stringify(input.path)} is not supported for a streamed APPEND: use a folder whose name is printable ASCII`,
  );
  assertArgument(
    Number.isSafeInteger(input.size) && input.size > 0,
    `size ${String(input.size)} is invalid: expected the file's length in bytes`,
  );
  const flags = input.flags ?? [];
  assertArgument(
    flags.every((flag) => /^\\?[A-Za-z0-9$_.-]+$/.test(flag)),
    `flags ${JSON.stringify(flags)} are invalid: expected IMAP flags such as \\Seen`,
  );

  let connection: LineConnection;
  try {
    connection = await LineConnection.open(checked);
  } catch (error) {
    throw toImapConnectError(error, checked);
  }
  try {
    await connection.command('LOGIN', [checked.user, checked.password]).catch((error: unknown) => {
      throw error instanceof ImapNo
        ? new TransportError(
            'IMAP_AUTH_FAILED',
            `IMAP login as ${checked.user} at ${checked.host}:${checked.port} failed: check the user name and password`,
            { cause: error },
          )
        : error;
    });
    const flagList = flags.length > 0 ? ` (${flags.join(' ')})` : '';
    await connection
      .command(`APPEND ${quoted(input.path)}${flagList}`, [], {
        file: input.file,
        size: input.size,
      })
      .catch((error: unknown) => {
        throw error instanceof ImapNo
          ? new TransportError(
              'IMAP_COMMAND_FAILED',
              `IMAP APPEND on ${JSON.stringify(input.path)} failed: server replied ${JSON.stringify(error.message)}`,
              { cause: error },
            )
          : error;
      });
    await connection.command('LOGOUT', []).catch(() => undefined);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    throw new TransportError(
      'IMAP_CONNECTION_FAILED',
      `the IMAP connection was lost during APPEND on ${JSON.stringify(input.path)}: connect again and retry`,
      { cause: error },
    );
  } finally {
    connection.close();
  }
}

/** A tagged NO or BAD reply; the message is the server's text. */
class ImapNo extends Error {}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (character) => `\\${character}`)}"`;
}

/** A socket read line by line, with commands whose literal arguments wait for "+" replies. */
class LineConnection {
  #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #waiting: Array<(line: string | Error) => void> = [];
  #lines: string[] = [];
  #failure: Error | null = null;
  #tag = 0;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  static async open(server: ServerConfig): Promise<LineConnection> {
    const options = tlsOptions(server);
    const socket =
      server.security === 'tls'
        ? tls.connect({ host: server.host, port: server.port, ...options })
        : net.connect({ host: server.host, port: server.port });
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () =>
      socket.destroy(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once(server.security === 'tls' ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    let connection = new LineConnection(socket);
    const greeting = await connection.#nextLine();
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
      connection.close();
      throw new Error(`unexpected IMAP greeting ${JSON.stringify(greeting.slice(0, 200))}`);
    }
    if (server.security === 'starttls') {
      await connection.command('STARTTLS', []);
      // Anything the server sent before the TLS handshake is discarded (STARTTLS injection).
      const plain = connection.#detach();
      const secure = tls.connect({ socket: plain, ...options });
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      connection = new LineConnection(secure);
    }
    connection.#socket.setTimeout(SOCKET_TIMEOUT_MS, () =>
      connection.#socket.destroy(
        Object.assign(new Error('socket timed out'), { code: 'ETIMEDOUT' }),
      ),
    );
    return connection;
  }

  /**
   * Sends `tag command` with each of `literals` as a synchronizing literal, then the optional
   * file literal, and resolves on the tagged OK. Raises ImapNo for NO or BAD.
   */
  async command(
    command: string,
    literals: string[],
    file?: { file: string; size: number },
  ): Promise<void> {
    this.#tag += 1;
    const tag = `S${this.#tag}`;
    let line = `${tag} ${command}`;
    for (const literal of literals) {
      const bytes = Buffer.from(literal, 'utf8');
      await this.#write(`${line} {${bytes.length}}\r\n`);
      await this.#continuation(tag);
      await this.#write(bytes);
      line = '';
    }
    if (file) {
      await this.#write(`${line} {${file.size}}\r\n`);
      await this.#continuation(tag);
      let sent = 0;
      for await (const chunk of createReadStream(file.file, { highWaterMark: 1024 * 1024 })) {
        sent += (chunk as Buffer).length;
        if (sent > file.size) break;
        await this.#write(chunk as Buffer);
      }
      if (sent !== file.size) {
        this.close();
        throw new TransportError(
          'INVALID_ARGUMENT',
          `message file ${file.file} has ${sent > file.size ? 'more' : sent} bytes, not the ${file.size} announced; the APPEND was cancelled`,
        );
      }
      line = '';
    }
    await this.#write(`${line}\r\n`);
    for (;;) {
      const reply = await this.#nextLine();
      if (!reply.startsWith(`${tag} `)) continue;
      const [, status, text] = /^\S+ (\S+) ?(.*)$/.exec(reply) ?? [];
      if (status?.toUpperCase() === 'OK') return;
      throw new ImapNo(`${status ?? ''} ${text ?? ''}`.trim());
    }
  }

  close(): void {
    this.#socket.destroy();
  }

  async #continuation(tag: string): Promise<void> {
    const reply = await this.#nextLine();
    if (reply.startsWith('+')) return;
    if (reply.startsWith(`${tag} `)) throw new ImapNo(reply.slice(tag.length + 1));
    throw new Error(`expected a continuation, got ${JSON.stringify(reply.slice(0, 200))}`);
  }

  #write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#failure) {
        reject(this.#failure);
        return;
      }
      this.#socket.write(data, (error) => (error ? reject(error) : resolve()));
    });
  }

  #nextLine(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push((value) => (value instanceof Error ? reject(value) : resolve(value)));
    });
  }

  #attach(socket: net.Socket): void {
    socket.on('data', this.#onData);
    socket.on('error', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  #detach(): net.Socket {
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    return this.#socket;
  }

  #onData = (chunk: Buffer): void => {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (let end = this.#buffer.indexOf('\r\n'); end !== -1; end = this.#buffer.indexOf('\r\n')) {
      const line = this.#buffer.subarray(0, end).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 2);
      // Replies to these commands carry no literals; one would desynchronize the parser.
      if (/\{\d+\+?\}$/.test(line)) {
        this.#fail(new Error('the server sent a literal in a reply to LOGIN or APPEND'));
        return;
      }
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    }
    if (this.#buffer.length > MAX_LINE_BYTES) this.#fail(new Error('IMAP reply line too long'));
  };

  #onEnd = (error?: unknown): void => {
    this.#fail(error instanceof Error ? error : new Error('the server closed the connection'));
  };

  #fail(error: Error): void {
    if (!this.#failure) this.#failure = error;
    for (const waiter of this.#waiting.splice(0)) waiter(this.#failure);
    this.#socket.destroy();
  }
}
