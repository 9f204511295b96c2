// A GnuPG 2.2 instance in a throw-away home directory, used as the interoperability peer.
// Every call runs non-interactively with the passphrase given on the command line.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const gpgPath = '/usr/bin/gpg';

export interface GpgResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export class GnuPG {
  readonly homedir = mkdtempSync(join(tmpdir(), 'sealpost-gpg-'));

  constructor(readonly passphrase: string) {}

  /** Runs gpg and returns its exit status and output; never throws on a non-zero status. */
  run(args: string[], input?: Uint8Array | string): GpgResult {
    const result = spawnSync(
      gpgPath,
      [
        '--homedir',
        this.homedir,
        '--batch',
        '--no-tty',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        this.passphrase,
        '--trust-model',
        'always',
        ...args,
      ],
      { input: input === undefined ? undefined : Buffer.from(input), timeout: 60_000 },
    );
    return {
      status: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr.toString('utf8'),
    };
  }

  /** Runs gpg and throws with its error output unless it exits with status 0. */
  ok(args: string[], input?: Uint8Array | string): Buffer {
    const result = this.run(args, input);
    if (result.status !== 0) {
      throw new Error(`gpg ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
    }
    return result.stdout;
  }

  writeFile(name: string, data: Uint8Array | string): string {
    const path = join(this.homedir, name);
    writeFileSync(path, data);
    return path;
  }

  /** Generates an Ed25519 signing key with a Curve25519 encryption subkey; returns its fingerprint. */
  generateEd25519Key(userId: string): string {
    this.ok(['--quick-gen-key', userId, 'ed25519', 'sign,cert', 'never']);
    const fingerprint = this.fingerprintOf(userId);
    this.ok(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    return fingerprint;
  }

  fingerprintOf(userId: string): string {
    const listing = this.ok(['--with-colons', '--list-keys', userId]).toString('utf8');
    const line = listing.split('\n').find((entry) => entry.startsWith('fpr:'));
    if (!line) throw new Error(`gpg has no key for ${userId}`);
    return (line.split(':')[9] ?? '').toLowerCase();
  }

  cleanup(): void {
    try {
      execFileSync('gpgconf', ['--homedir', this.homedir, '--kill', 'gpg-agent'], {
        stdio: 'ignore',
      });
    } catch {
      // No agent was started for this home directory.
    }
    rmSync(this.homedir, { recursive: true, force: true });
  }
}
