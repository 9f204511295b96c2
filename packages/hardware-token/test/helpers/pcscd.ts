// Starts a private pcscd for tests, so it never clashes with a system pcscd. It has its own
// reader.conf.d with one vpcd virtual reader in vpcd's reverse mode (DEVICENAME host:port),
// where vpcd connects out to the card emulator on 127.0.0.1 and opens no listening port. Its
// client socket is a Unix socket, which systemd-socket-activate hands over and
// PCSCLITE_CSOCK_NAME announces to libpcsclite.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
export const VIRTUAL_READER_NAME = 'Sealpost Virtual PCD';
/** pcscd names the first vpcd slot (the one that connects to `cardPort`) with the suffix "00 00". */
export const VIRTUAL_READER_SLOT = `${VIRTUAL_READER_NAME} 00 00`;

export class PrivatePcscd {
  private constructor(
    readonly directory: string,
    readonly socketPath: string,
    readonly cardPort: number,
    private readonly child: ChildProcess,
    private readonly previousSocket: string | undefined,
    readonly log: string[],
  ) {}

  /** Starts pcscd with a vpcd reader that connects to the card emulator on 127.0.0.1:`cardPort`. */
  static async start(cardPort: number): Promise<PrivatePcscd> {
    const directory = mkdtempSync(join(tmpdir(), 'sealpost-pcscd-'));
    const configDirectory = join(directory, 'reader.conf.d');
    mkdirSync(configDirectory);
    const hexPort = `0x${cardPort.toString(16).toUpperCase()}`;
    writeFileSync(
      join(configDirectory, 'vpcd'),
      [
        `FRIENDLYNAME "${VIRTUAL_READER_NAME}"`,
        // A host name other than "/dev/null" makes vpcd connect out to the virtual card there
        // instead of listening for it on all interfaces (vsmartcard 3.3, ifd-vpcd.c).
        `DEVICENAME   127.0.0.1:${hexPort}`,
        `LIBPATH      ${VPCD_DRIVER}`,
        `CHANNELID    ${hexPort}`,
        '',
      ].join('\n'),
    );

    const socketPath = join(directory, 'pcscd.comm');
    const log: string[] = [];
    const child = spawn(
      'systemd-socket-activate',
      [
        '-l',
        socketPath,
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
    const daemon = new PrivatePcscd(directory, socketPath, cardPort, child, previousSocket, log);
    await daemon.waitUntilReady();
    return daemon;
  }

  /** Connects once to make systemd-socket-activate exec pcscd, then waits for its socket. */
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
      if (socketOpen) return;
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
