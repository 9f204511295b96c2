// One HTTPS GET for key lookups (WKD and VKS): TLS always, no redirects, a size cap and a
// timeout. A `resolve` option maps a host name to the address and port to connect to while
// TLS still checks the certificate against the host name, so tests can serve real names
// from 127.0.0.1 without DNS. Without it, Node's DNS lookup is used.

import https from 'node:https';
import { TransportError } from '../transport-error.ts';

/** Where to connect for a host name; null means the host does not exist. */
export interface HttpsTarget {
  host: string;
  port: number;
}

export type HostResolver = (hostname: string) => HttpsTarget | null;

export interface KeyLookupOptions {
  /** Maps host names to connection targets instead of DNS, e.g. for a local test server. */
  resolve?: HostResolver;
  /** PEM certificates to trust instead of Node's default roots, e.g. a test CA. */
  ca?: string | Buffer;
  /** Time limit of one request in milliseconds. Default 15000. */
  timeoutMs?: number;
  /** Maximum response body in bytes. Default 1 MiB, far above a certificate with PQ subkeys. */
  maxBytes?: number;
}

export interface HttpsResponse {
  status: number;
  contentType: string | null;
  body: Uint8Array;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Raised inside lookups when the host does not exist, so WKD can fall back to the direct method. */
export class HostNotFoundError extends TransportError {
  constructor(hostname: string, cause?: unknown) {
    super('KEY_LOOKUP_FAILED', `The host ${hostname} was not found.`, { cause });
  }
}

/** Sends GET `url` and returns the status and body. Redirects are returned, not followed. */
export async function httpsGet(url: URL, options: KeyLookupOptions = {}): Promise<HttpsResponse> {
  if (url.protocol !== 'https:') {
    throw new TransportError('INVALID_ARGUMENT', `Key lookups use HTTPS only, got ${url.href}.`);
  }
  const hostname = url.hostname;
  const target = options.resolve ? options.resolve(hostname) : { host: hostname, port: 443 };
  if (target === null) throw new HostNotFoundError(hostname);
  const port = url.port === '' ? target.port : Number(url.port);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;

  return new Promise<HttpsResponse>((resolvePromise, rejectPromise) => {
    // The first outcome wins: destroying the request after an error can still emit 'end'.
    let settled = false;
    const resolve = (value: HttpsResponse) => {
      if (!settled) resolvePromise(value);
      settled = true;
    };
    const reject = (error: unknown) => {
      if (!settled) rejectPromise(error);
      settled = true;
    };
    const fail = (error: TransportError) => {
      reject(error);
      request.destroy();
    };
    const request = https.request(
      {
        method: 'GET',
        host: target.host,
        port,
        path: `${url.pathname}${url.search}`,
        servername: hostname,
        headers: { host: url.host, accept: 'application/octet-stream, application/pgp-keys' },
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            fail(
              new TransportError(
                'KEY_LOOKUP_FAILED',
                `The response from ${url.origin} exceeds ${maxBytes} bytes; it is not a certificate.`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? null,
            body: new Uint8Array(Buffer.concat(chunks)),
          }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(timeoutMs, () =>
      fail(
        new TransportError(
          'KEY_LOOKUP_TIMED_OUT',
          `The key lookup at ${url.origin} timed out after ${timeoutMs} ms; try again later.`,
        ),
      ),
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOTFOUND') return reject(new HostNotFoundError(hostname, error));
      reject(
        new TransportError(
          'KEY_LOOKUP_FAILED',
          `The key lookup at ${url.origin} failed (${error.code ?? error.message}); check the address and the network.`,
          { cause: error },
        ),
      );
    });
    request.end();
  });
}
