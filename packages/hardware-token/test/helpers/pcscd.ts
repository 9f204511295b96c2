// Starts a private pcscd for tests, so it never clashes with a system pcscd. It has its own
// reader.conf.d with one vpcd virtual reader on a free TCP port of 127.0.0.1, and its own
// client socket, which systemd-socket-activate hands over and PCSCLITE_CSOCK_NAME announces to
// libpcsclite. vpcd would listen on all interfaces; the loopback-bind.c shim, preloaded into
// pcscd, binds it to 127.0.0.1 instead.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const VIRTUAL_READER_NAME = 'Sealpost Virtual PCD';
/** pcscd names the first vpcd slot (the one on `vpcdPort`) with the suffix "00 00". */
export const VIRTUAL_READER_SLOT = `${VIRTUAL_READER_NAME} 00 00`;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Finds a port P such that P and P + 1 are free (vpcd opens one port per virtual slot). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error('No free pair of local TCP ports was found for vpcd after 20 attempts.');
}

const LOOPBACK_BIND_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'loopback-bind.c');

/** Compiles the bind() shim that keeps vpcd's port on 127.0.0.1 (needs a C compiler). */
function buildLoopbackShim(directory: string): string {
  const library = join(directory, 'loopback-bind.so');
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, LOOPBACK_BIND_SOURCE, '-ldl'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw new Error(
      `Compiling ${LOOPBACK_BIND_SOURCE} failed, so vpcd would listen on all interfaces. Install gcc and libc6-dev (bash scripts/install).`,
      { cause: error },
    );
  }
  return library;
}

export class PrivatePcscd {
  private constructor(
    readonly directory: string,
    readonly socketPath: string,
    readonly vpcdPort: number,
    private readonly child: ChildProcess,
    private readonly previousSocket: string | undefined,
    readonly log: string[],
  ) {}

  static async start(): Promise<PrivatePcscd> {
    const directory = mkdtempSync(join(tmpdir(), 'sealpost-pcscd-'));
    const configDirectory = join(directory, 'reader.conf.d');
    mkdirSync(configDirectory);
    const vpcdPort = await freePortPair();
    const hexPort = `0x${vpcdPort.toString(16).toUpperCase()}`;
    writeFileSync(
      join(configDirectory, 'vpcd'),
      [
        `FRIENDLYNAME "${VIRTUAL_READER_NAME}"`,
        // With "/dev/null" as host, vpcd listens for the virtual card instead of connecting out.
        `DEVICENAME   /dev/null:${hexPort}`,
        `LIBPATH      ${VPCD_DRIVER}`,
        `CHANNELID    ${hexPort}`,
        '',
      ].join('\n'),
    );

    const loopbackShim = buildLoopbackShim(directory);

    const socketPath = join(directory, 'pcscd.comm');
    const log: string[] = [];
    const child = spawn(
      'systemd-socket-activate',
      [
        '-l',
        socketPath,
        `--setenv=LD_PRELOAD=${loopbackShim}`,
        // Absolute, because /usr/sbin is not on the PATH of every user.
        '/usr/sbin/pcscd',
        '--foreground',
        '--config',
        configDirectory,
        // SEALPOST_PCSCD_DEBUG=1 logs every APDU into `log`, for diagnosing a failing test.
        ...(process.env.SEALPOST_PCSCD_DEBUG === '1' ? ['--debug', '--apdu'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));

    const previousSocket = process.env.PCSCLITE_CSOCK_NAME;
    process.env.PCSCLITE_CSOCK_NAME = socketPath;
    const daemon = new PrivatePcscd(directory, socketPath, vpcdPort, child, previousSocket, log);
    await daemon.waitUntilReady();
    return daemon;
  }

  /** Connects once to make systemd-socket-activate exec pcscd, then waits for vpcd's port. */
  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) break;
      const socketOpen = await new Promise<boolean>((resolve) => {
        const probe = net.connect(this.socketPath);
        probe.once('connect', () => {
          probe.destroy();
          resolve(true);
        });
        probe.once('error', () => resolve(false));
      });
      if (socketOpen && !(await portIsFree(this.vpcdPort))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.stop();
    throw new Error(`pcscd did not start within 15 s. Its output:\n${this.log.join('')}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        this.child.kill('SIGTERM');
      });
    }
    if (this.previousSocket === undefined) delete process.env.PCSCLITE_CSOCK_NAME;
    else process.env.PCSCLITE_CSOCK_NAME = this.previousSocket;
    rmSync(this.directory, { recursive: true, force: true });
  }
}
