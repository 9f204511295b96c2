// Starts a private D-Bus session bus with gnome-keyring's Secret Service for the test run,
// so keychain tests use a real Secret Service and never touch a developer's own keyring.
// The login keyring is created and unlocked with a fixed password, without a prompt, and
// DBUS_SESSION_BUS_ADDRESS is exported to the test workers. gnome-keyring-daemon 42 has aborted
// mid-run on a GLib error in its Secret Service code, so an exited daemon is started again on
// the same keyring files. The bus starts no service on demand, because a daemon started that way would
// open a locked keyring of its own.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const READY_TIMEOUT_MS = 15_000;
const TEST_KEYRING_PASSWORD = 'sealpost-test-keyring';
/** Maximum restarts of a crashed daemon in one run, because more crashes point to another cause. */
const MAX_RESTARTS = 5;

export interface SecretService {
  /** The D-Bus session bus address to put into DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** Locks the login collection, as a screen lock would. */
  lock(): void;
  stop(): void;
}

/** Starts dbus-daemon and gnome-keyring-daemon in a new folder; `stop` ends both. */
export async function startSecretService(): Promise<SecretService> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sealpost-keyring-'));
  const config = path.join(folder, 'session.conf');
  writeFileSync(config, busConfig(`unix:path=${folder}/bus`));
  const printed = execFileSync(
    'dbus-daemon',
    [`--config-file=${config}`, '--fork', '--print-address=1', '--print-pid=1'],
    { encoding: 'utf8' },
  );
  const [address, pidText] = printed.trim().split('\n');
  const busPid = Number(pidText);
  if (!address || !Number.isInteger(busPid)) {
    throw new Error(`dbus-daemon printed no address and PID: ${JSON.stringify(printed)}`);
  }

  const startKeyring = (): ChildProcess => {
    const daemon = spawn(
      'gnome-keyring-daemon',
      ['--foreground', '--unlock', '--components=secrets'],
      {
        env: {
          ...process.env,
          DBUS_SESSION_BUS_ADDRESS: address,
          HOME: folder,
          XDG_DATA_HOME: folder,
          XDG_RUNTIME_DIR: folder,
        },
        stdio: ['pipe', 'ignore', 'inherit'],
      },
    );
    daemon.stdin!.end(TEST_KEYRING_PASSWORD);
    daemon.once('exit', (status, signal) => {
      // A daemon that never became ready is reported by waitForReady, not started in a loop.
      if (stopped || !ready || restarts >= MAX_RESTARTS) return;
      restarts += 1;
      process.stderr.write(
        `keyring-setup: gnome-keyring-daemon exited (${signal ?? `status ${status}`}); starting it again\n`,
      );
      keyring = startKeyring();
    });
    return daemon;
  };
  let stopped = false;
  let ready = false;
  let restarts = 0;
  let keyring = startKeyring();
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    keyring.kill();
    try {
      process.kill(busPid);
    } catch {
      // The bus already exited.
    }
    rmSync(folder, { recursive: true, force: true });
  };
  // Stop the daemons also when the process ends without calling `stop`.
  process.once('exit', stop);

  try {
    await waitForReady(keyring, address);
    ready = true;
  } catch (error) {
    stop();
    throw error;
  }
  return {
    address,
    lock: () => {
      dbusSend(address, [
        '--dest=org.freedesktop.secrets',
        '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock',
        'array:objpath:/org/freedesktop/secrets/collection/login',
      ]);
    },
    stop,
  };
}

export default async function setup(): Promise<() => void> {
  const service = await startSecretService();
  const previous = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = service.address;
  return () => {
    service.stop();
    if (previous === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = previous;
  };
}

function dbusSend(address: string, args: string[]): string {
  return execFileSync('dbus-send', ['--session', '--print-reply', ...args], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: address },
    encoding: 'utf8',
    timeout: 5_000,
  });
}

/** Returns a session bus configuration that listens on `address` and activates no services. */
function busConfig(address: string): string {
  return [
    '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"',
    ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">',
    '<busconfig>',
    '  <type>session</type>',
    `  <listen>${address}</listen>`,
    '  <auth>EXTERNAL</auth>',
    '  <policy context="default">',
    '    <allow send_destination="*" eavesdrop="true"/>',
    '    <allow eavesdrop="true"/>',
    '    <allow own="*"/>',
    '  </policy>',
    '</busconfig>',
    '',
  ].join('\n');
}

/** Polls the bus until gnome-keyring owns the Secret Service name, org.freedesktop.secrets. */
async function waitForReady(keyring: ChildProcess, address: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (keyring.exitCode !== null) {
      throw new Error(
        `gnome-keyring-daemon exited with status ${keyring.exitCode} before it was ready`,
      );
    }
    const reply = dbusSend(address, [
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.secrets',
    ]);
    if (reply.includes('boolean true')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `gnome-keyring-daemon did not register the Secret Service within ${READY_TIMEOUT_MS} ms`,
  );
}
