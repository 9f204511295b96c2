// The operations the interop grid runs on each OpenPGP implementation, Sealpost included, and
// the process runner they share. Keys travel as armored, unprotected secret keys and armored
// certificates, the form every Stateless OpenPGP implementation reads.
import { spawn } from 'node:child_process';

export interface KeyPair {
  /** Armored secret key without a passphrase. */
  secretKey: Uint8Array;
  /** Armored certificate. */
  certificate: Uint8Array;
  /** Primary key fingerprint, uppercase hex. */
  fingerprint: string;
}

export interface EncryptRequest {
  data: Uint8Array;
  recipient: KeyPair;
  signer?: KeyPair;
  armor: boolean;
}

export interface DecryptRequest {
  message: Uint8Array;
  recipient: KeyPair;
  signer?: KeyPair;
}

export interface Peer {
  /** Display name, such as "Sequoia (sqop)". */
  name: string;
  /** The Debian 12 package that provides it, or null for Sealpost itself. */
  debianPackage: string | null;
  /** The implementation's own version line; throws PeerUnavailable when it is not installed. */
  version(): Promise<string>;
  generateKey(userId: string): Promise<KeyPair>;
  encrypt(request: EncryptRequest): Promise<Uint8Array>;
  /** Returns the plaintext and whether the signer's signature was verified. */
  decrypt(request: DecryptRequest): Promise<{ data: Uint8Array; verified: boolean }>;
  sign(request: { data: Uint8Array; signer: KeyPair; armor: boolean }): Promise<Uint8Array>;
  verify(request: { data: Uint8Array; signature: Uint8Array; signer: KeyPair }): Promise<boolean>;
}

/** A peer program that is not installed on this machine. */
export class PeerUnavailable extends Error {
  override readonly name = 'PeerUnavailable';
}

/** A failed peer step; `unsupported` is true when the program reports a missing feature. */
export class PeerStepError extends Error {
  override readonly name = 'PeerStepError';

  constructor(
    message: string,
    readonly unsupported: boolean,
  ) {
    super(message);
  }
}

export interface ProcessResult {
  exitCode: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs a program to completion with the input on standard input; never throws on exit codes. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { input?: Uint8Array; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new PeerUnavailable(`${command} is not installed`));
      else reject(error);
    });
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 : -1),
        stdout: new Uint8Array(Buffer.concat(stdout)),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      // The program exited before reading all input; its exit code reports why.
    });
    child.stdin.end(options.input ? Buffer.from(options.input) : undefined);
  });
}

/**
 * Returns the first non-empty line of a program's error output, for tables and messages. The
 * JVM's "Picked up JAVA_TOOL_OPTIONS" notice is skipped, because it precedes every error.
 */
export function firstLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  const first = lines.find(
    (line) => line !== '' && !line.startsWith('Picked up JAVA_TOOL_OPTIONS'),
  );
  return (first ?? '').slice(0, 200);
}
