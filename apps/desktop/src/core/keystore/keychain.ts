// Access to the OS keychain: Secret Service on Linux, Keychain on macOS, Credential Manager
// on Windows, through @napi-rs/keyring (keyring-rs). Entries hold base64 text under the
// service name "Sealpost", one account name per data folder and key. Each call runs in a child
// process (keychain-call.mjs) with a time limit, because a locked Secret Service collection
// makes keyring-rs wait for a password prompt that a headless session never shows.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CoreError } from '../errors.ts';

/** The operations Sealpost needs from a keychain; tests and other platforms share this shape. */
export interface Keychain {
  /** A short name for messages, e.g. "Secret Service". */
  readonly name: string;
  /** Returns the stored text, or null when the entry does not exist. */
  get(account: string): string | null;
  set(account: string, value: string): void;
  /** Deletes the entry; returns false when it did not exist. */
  delete(account: string): boolean;
}

export const KEYCHAIN_SERVICE = 'Sealpost';

/**
 * Maximum time of one keychain call. An unlocked gnome-keyring returned within about 200 ms in
 * the tests here. The limit also leaves a person time to answer a desktop unlock prompt.
 */
export const KEYCHAIN_CALL_TIMEOUT_MS = 30_000;

const CALL_SCRIPT = fileURLToPath(new URL('./keychain-call.mjs', import.meta.url));

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Secret Service',
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
};

/** The keychain of the operating system. */
export class OsKeychain implements Keychain {
  readonly name = PLATFORM_NAMES[process.platform] ?? 'OS keychain';

  constructor(
    private readonly timeoutMs = KEYCHAIN_CALL_TIMEOUT_MS,
    /** Environment of the keychain calls, e.g. another DBUS_SESSION_BUS_ADDRESS. */
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  get(account: string): string | null {
    const value = this.#call('get', account, null);
    return typeof value === 'string' ? value : null;
  }

  set(account: string, value: string): void {
    this.#call('set', account, value);
  }

  delete(account: string): boolean {
    // keyring-rs reports a missing entry as an error, which counts as "nothing deleted".
    try {
      return this.#call('delete', account, null) !== false;
    } catch (error) {
      if (error instanceof CoreError && /no matching entry|not found/i.test(error.message))
        return false;
      throw error;
    }
  }

  #call(op: 'get' | 'set' | 'delete', account: string, value: string | null): unknown {
    const action = { get: 'read', set: 'store', delete: 'delete' }[op];
    let output: string;
    try {
      output = execFileSync(process.execPath, [CALL_SCRIPT], {
        input: JSON.stringify({ op, service: KEYCHAIN_SERVICE, account, value }),
        encoding: 'utf8',
        timeout: this.timeoutMs,
        // In the packaged app execPath is Electron, which runs as plain Node only with this set.
        env: { ...this.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
    } catch (error) {
      const timedOut = (error as { signal?: string }).signal === 'SIGTERM';
      throw this.#failure(
        action,
        account,
        timedOut
          ? new Error(
              `timed out after ${this.timeoutMs} ms, so the keyring is probably locked and waiting for a password prompt`,
            )
          : error,
        timedOut,
      );
    }
    const outcome = JSON.parse(output) as { ok: boolean; value?: unknown; message?: string };
    if (!outcome.ok) {
      if (op === 'get' && /no matching entry|not found/i.test(outcome.message ?? '')) return null;
      throw this.#failure(action, account, new Error(outcome.message));
    }
    return outcome.value;
  }

  #failure(action: string, account: string, error: unknown, timedOut = false): CoreError {
    const detail = error instanceof Error ? error.message : String(error);
    const locked = timedOut || /locked|AccessDenied|denied|dismissed/i.test(detail);
    return new CoreError(
      locked ? 'KEYCHAIN_LOCKED' : 'KEYCHAIN_UNAVAILABLE',
      `Cannot ${action} the keychain entry "${account}" in the ${this.name} (${detail}). ` +
        (process.platform === 'linux'
          ? 'Start and unlock a Secret Service keyring (gnome-keyring or KeePassXC) in this ' +
            'desktop session, because none is reachable or it is locked, then run the command ' +
            'again. Only a new data folder can use a Sealpost passphrase (--passphrase-file) instead.'
          : 'Unlock the keychain and retry.'),
      { cause: error },
    );
  }
}

/**
 * Checks whether `keychain` can store and read back an entry. Returns null when it works and
 * the error otherwise, so the caller can choose the passphrase fallback.
 */
export function probeKeychain(keychain: Keychain, account: string): CoreError | null {
  try {
    keychain.set(account, 'probe');
    const readBack = keychain.get(account);
    keychain.delete(account);
    if (readBack !== 'probe') {
      return new CoreError(
        'KEYCHAIN_UNAVAILABLE',
        `The ${keychain.name} did not return the entry just stored; it cannot hold Sealpost's keys.`,
      );
    }
    return null;
  } catch (error) {
    if (error instanceof CoreError) return error;
    return new CoreError(
      'KEYCHAIN_UNAVAILABLE',
      `The ${keychain.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
