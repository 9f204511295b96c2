// The browser shell: serves the renderer bundle on 127.0.0.1 and carries MailApi over a
// WebSocket. A random token, made per start and handed over in the URL fragment, must come
// with every WebSocket connection, and the Origin must be the shell's own; other connections
// are rejected before any MailApi call. Requests pass the same validation as in Electron's main.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { dispatchMailApi } from '@sealpost/ui';
import type { MailApi, MailApiEventName, MailApiEvents } from '@sealpost/ui';
import { contentSecurityPolicy, readBundleFile } from './bundle-files.ts';

export interface BrowserShellOptions {
  /** Builds the handler table; `emit` pushes an event to every connected renderer. */
  createHandlers(
    emit: <E extends MailApiEventName>(event: E, payload: MailApiEvents[E]) => void,
  ): MailApi;
  bundleDir: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
}

export interface BrowserShell {
  /** The URL to open, with the token in its fragment. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

export const API_PATH = '/api';
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const token = randomBytes(32).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.port} on 127.0.0.1 is in use, perhaps by another Sealpost: stop that program or choose another port with SEALPOST_SHELL_PORT.`,
              { cause: error },
            )
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const policy = contentSecurityPolicy(`ws://127.0.0.1:${port}`);

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const emit = <E extends MailApiEventName>(event: E, payload: MailApiEvents[E]) => {
    const frame = JSON.stringify({ event, payload });
    for (const client of sockets.clients) client.send(frame);
  };
  const handlers = options.createHandlers(emit);

  server.on('request', (request, response) =>
    serveFile(request, response, options.bundleDir, policy),
  );
  server.on('upgrade', (request, socket, head) => {
    const rejection = checkUpgrade(request, origin, token);
    if (rejection) {
      options.log.warn({ reason: rejection }, 'rejected a WebSocket connection');
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) =>
      serveApi(client, handlers, options.log),
    );
  });
  options.log.info({ port }, 'browser shell started');

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () => closeServer(server, sockets),
  };
}

/** Returns why an upgrade request is rejected, or null when it carries the token and origin. */
function checkUpgrade(request: IncomingMessage, origin: string, token: string): string | null {
  const url = new URL(request.url ?? '/', origin);
  if (url.pathname !== API_PATH) return `path ${url.pathname} is not ${API_PATH}`;
  if (request.headers.origin !== origin) return `origin ${request.headers.origin ?? '(none)'}`;
  const offered = Buffer.from(url.searchParams.get('token') ?? '');
  const expected = Buffer.from(token);
  if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) {
    return 'missing or wrong token';
  }
  return null;
}

function serveApi(client: WebSocket, handlers: MailApi, log: Logger): void {
  client.on('message', async (data) => {
    let call: { id?: unknown; method?: unknown; request?: unknown };
    try {
      call = JSON.parse(data.toString()) as typeof call;
    } catch {
      client.close(1003, 'messages must be JSON');
      return;
    }
    if (typeof call.id !== 'number') {
      client.close(1003, 'each call needs a numeric id');
      return;
    }
    const result = await dispatchMailApi(handlers, call.method, call.request);
    if (!result.ok && result.error.code === 'INTERNAL_ERROR') {
      log.error({ method: call.method }, 'a MailApi call failed with an uncoded error');
    }
    client.send(JSON.stringify({ id: call.id, result }));
  });
}

function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  bundleDir: string,
  policy: string,
): void {
  const headers = {
    'Content-Security-Policy': policy,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, headers).end();
    return;
  }
  const file = readBundleFile(bundleDir, request.url ?? '/');
  if (!file) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Type': file.contentType });
  response.end(request.method === 'HEAD' ? undefined : file.body);
}

async function closeServer(server: Server, sockets: WebSocketServer): Promise<void> {
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
