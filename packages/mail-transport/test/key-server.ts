// A local HTTPS key server for tests: a throw-away CA made with openssl, a server certificate
// for the given host names, and Node's https module serving files from
// <webroot>/<host name>/<URL path>, the directory layout of a WKD or VKS web server. It
// listens on 127.0.0.1 only; `resolve` maps its host names there, so no DNS is used.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { HostResolver } from '../src/index.ts';

export interface KeyServer {
  /** PEM of the test CA, to pass as `ca`. */
  ca: string;
  port: number;
  webroot: string;
  /** Maps the served host names to 127.0.0.1:port and every other name to "not found". */
  resolve: HostResolver;
  /** Requests received, as "host path?query". */
  requests: string[];
  /** Writes `content` to be served at https://<host><urlPath>. */
  publish(host: string, urlPath: string, content: Uint8Array | string): void;
  close(): Promise<void>;
}

/** Starts a key server whose certificate is valid for `hostnames`. */
export async function startKeyServer(hostnames: string[]): Promise<KeyServer> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'sealpost-key-server-'));
  const file = (name: string) => path.join(directory, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });

  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Sealpost test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${hostnames[0]}`,
  );
  writeFileSync(
    file('server.ext'),
    `subjectAltName=${hostnames.map((name) => `DNS:${name}`).join(',')}\n` +
      'extendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );

  const webroot = file('webroot');
  mkdirSync(webroot);
  const requests: string[] = [];
  const server = https.createServer(
    { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) },
    (request, response) => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      const url = new URL(request.url ?? '/', 'https://placeholder');
      requests.push(`${host} ${url.pathname}${url.search}`);
      const target = path.join(webroot, host, url.pathname);
      if (!target.startsWith(path.join(webroot, host) + path.sep)) {
        response.writeHead(400).end();
        return;
      }
      try {
        if (!statSync(target).isFile()) throw new Error('not a file');
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(readFileSync(target));
      } catch {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    ca: readFileSync(file('ca.pem'), 'utf8'),
    port,
    webroot,
    requests,
    resolve: (hostname) => (hostnames.includes(hostname) ? { host: '127.0.0.1', port } : null),
    publish(host, urlPath, content) {
      const target = path.join(webroot, host, urlPath);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
