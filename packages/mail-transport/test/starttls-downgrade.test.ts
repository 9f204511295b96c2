// STARTTLS stripping: a server on the path that hides STARTTLS must make 'starttls' fail before
// any credential is sent. The servers here are minimal in-process fakes on 127.0.0.1.

import { createServer, type Server, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { ImapSession, sendMessage, TransportError } from '../src/index.ts';

const PASSWORD = 'downgrade-secret-password';

interface FakeServer {
  port: number;
  received: () => string;
  server: Server;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** Starts a line-based server that replies with `respond(line)` and records every byte it reads. */
function startFakeServer(
  greeting: string,
  respond: (line: string, socket: Socket) => void,
): Promise<FakeServer> {
  let received = '';
  const server = createServer((socket) => {
    socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      buffer += chunk.toString('latin1');
      let newline = buffer.indexOf('\r\n');
      while (newline !== -1) {
        respond(buffer.slice(0, newline), socket);
        buffer = buffer.slice(newline + 2);
        newline = buffer.indexOf('\r\n');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        received: () => received,
        server,
      });
    });
  });
}

async function captureError(run: () => Promise<unknown>): Promise<TransportError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected the call to fail');
}

function leaksPassword(received: string): boolean {
  const plainToken = Buffer.from(`\0user@sealpost.test\0${PASSWORD}`).toString('base64');
  return (
    received.includes(PASSWORD) ||
    received.includes(plainToken) ||
    received.includes(Buffer.from(PASSWORD).toString('base64'))
  );
}

describe('STARTTLS downgrade', () => {
  it('SMTP fails without sending AUTH', async () => {
    const fake = await startFakeServer('220 fake.test ESMTP\r\n', (line, socket) => {
      const command = line.toUpperCase();
      if (command.startsWith('EHLO'))
        socket.write('250-fake.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
      else if (command.startsWith('STARTTLS')) socket.write('502 5.5.1 STARTTLS not available\r\n');
      else if (command.startsWith('QUIT')) socket.end('221 bye\r\n');
      else socket.write('250 ok\r\n');
    });

    const error = await captureError(() =>
      sendMessage({
        server: {
          host: '127.0.0.1',
          port: fake.port,
          security: 'starttls',
          user: 'user@sealpost.test',
          password: PASSWORD,
        },
        envelope: { from: 'user@sealpost.test', to: ['bob@sealpost.test'] },
        raw: new Uint8Array(Buffer.from('From: user@sealpost.test\r\nSubject: x\r\n\r\nx\r\n')),
      }),
    );

    expect(error.code).toBe('SMTP_CONNECTION_FAILED');
    expect(error.message).not.toContain(PASSWORD);
    expect(fake.received()).not.toMatch(/^AUTH/im);
    expect(leaksPassword(fake.received())).toBe(false);
  });

  it('IMAP fails without sending LOGIN', async () => {
    const fake = await startFakeServer(
      '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n',
      (line, socket) => {
        const [tag, command = ''] = line.split(' ');
        if (command.toUpperCase() === 'CAPABILITY') {
          socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        } else if (command.toUpperCase() === 'LOGOUT') {
          socket.end(`* BYE\r\n${tag} OK bye\r\n`);
        } else {
          socket.write(`${tag} OK done\r\n`);
        }
      },
    );

    const error = await captureError(() =>
      ImapSession.connect({
        host: '127.0.0.1',
        port: fake.port,
        security: 'starttls',
        user: 'user@sealpost.test',
        password: PASSWORD,
      }),
    );

    expect(error.code).toBe('IMAP_CONNECTION_FAILED');
    expect(error.message).not.toContain(PASSWORD);
    expect(fake.received()).not.toMatch(/ (LOGIN|AUTHENTICATE) /i);
    expect(leaksPassword(fake.received())).toBe(false);
  });
});

describe('server settings', () => {
  it('rejects unknown and invalid settings', async () => {
    const base = {
      host: '127.0.0.1',
      port: 1,
      security: 'starttls' as const,
      user: 'u',
      password: 'p',
    };

    await expect(
      ImapSession.connect({ ...base, rejectUnauthorized: false } as typeof base),
    ).rejects.toThrow(/server.rejectUnauthorized is not a supported setting/);
    await expect(ImapSession.connect({ ...base, security: 'none' as 'tls' })).rejects.toMatchObject(
      { code: 'INVALID_ARGUMENT' },
    );
    await expect(ImapSession.connect({ ...base, port: 70000 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(ImapSession.connect({ ...base, pinnedCertificate: 'not a pem' })).rejects.toThrow(
      /not a PEM certificate/,
    );
  });

  it('rejects a raw message with Bcc', async () => {
    const raw = new Uint8Array(
      Buffer.from('From: a@sealpost.test\r\nBcc: eve@sealpost.test\r\n\r\nx'),
    );
    await expect(
      sendMessage({
        server: { host: '127.0.0.1', port: 1, security: 'tls', user: 'u', password: 'p' },
        envelope: { from: 'a@sealpost.test', to: ['eve@sealpost.test'] },
        raw,
      }),
    ).rejects.toThrow(/raw has a Bcc header field/);
  });
});
