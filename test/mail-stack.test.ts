// Checks the local Dovecot/Postfix stack that test/global-setup.ts starts with
// `scripts/mail-stack up`: IMAP over TLS verifies against the pinned self-signed certificate,
// LOGIN works for a test user and fails with a wrong password, plaintext LOGIN is refused,
// and the certificate is valid for IP 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/mail-stack', import.meta.url));
const skip = process.env.SEALPOST_SKIP_MAIL_STACK === '1';

// `mail-stack env` prints KEY=value lines: ports, CA file, users and passwords.
function stackEnv(): Record<string, string> {
  const out = execFileSync('bash', [script, 'env'], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

// A minimal line-based IMAP client: send a tagged command, resolve with everything the
// server wrote up to and including the tagged completion line.
class Imap {
  private buffer = '';
  private waiter: (() => void) | undefined;

  constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.waiter?.();
    });
  }

  async readUntil(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.buffer)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`IMAP timeout: ${this.buffer}`)), 10_000);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const text = this.buffer;
    this.buffer = '';
    return text;
  }

  command(tag: string, command: string): Promise<string> {
    this.socket.write(`${tag} ${command}\r\n`);
    return this.readUntil(new RegExp(`^${tag} (OK|NO|BAD)`, 'm'));
  }
}

describe.skipIf(skip)('scripts/mail-stack', () => {
  const env = skip ? {} : stackEnv();
  const host = env.SEALPOST_MAIL_HOST ?? '127.0.0.1';
  const ca = skip ? '' : readFileSync(env.SEALPOST_MAIL_CA_FILE ?? '', 'utf8');
  const sockets: net.Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((socket) => socket.destroy()));

  async function connectTls(): Promise<{ imap: Imap; socket: tls.TLSSocket }> {
    const socket = tls.connect({ host, port: Number(env.SEALPOST_IMAPS_PORT), ca: [ca] });
    sockets.push(socket);
    const imap = new Imap(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve).once('error', reject);
    });
    await imap.readUntil(/^\* OK/m);
    return { imap, socket };
  }

  it('verifies IMAPS against the pinned certificate and logs bob in', async () => {
    const { imap, socket } = await connectTls();
    expect(socket.authorized).toBe(true);
    const login = await imap.command('a1', `LOGIN ${env.SEALPOST_MAIL_USER_BOB} sealpost-bob`);
    expect(login).toMatch(/^a1 OK .*CONDSTORE QRESYNC/m);
    expect(await imap.command('a2', 'LIST "" "*" RETURN (SPECIAL-USE)')).toMatch(
      /\\Sent\) "\/" Sent/,
    );
  });

  it('answers NO to a wrong password', async () => {
    const { imap } = await connectTls();
    expect(await imap.command('a1', 'LOGIN bob@sealpost.test wrong')).toMatch(/^a1 NO /m);
  });

  it('refuses LOGIN before STARTTLS on the plain IMAP port', async () => {
    const socket = net.connect({ host, port: Number(env.SEALPOST_IMAP_PORT) });
    sockets.push(socket);
    const imap = new Imap(socket);
    expect(await imap.readUntil(/^\* OK/m)).toMatch(/STARTTLS/);
    expect(await imap.command('a1', 'LOGIN bob@sealpost.test sealpost-bob')).toMatch(/^a1 NO /m);
  });

  it('serves a certificate valid for IP 127.0.0.1', async () => {
    const { socket } = await connectTls();
    expect(socket.getPeerCertificate().subjectaltname).toContain('IP Address:127.0.0.1');
    expect(new X509Certificate(ca).checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});
