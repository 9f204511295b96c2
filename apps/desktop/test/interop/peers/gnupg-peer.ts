// GnuPG 2.2 (package gnupg) as an interop peer, driven by its own command line in a
// throw-away home directory. Keys are imported on first use; a good signature is one that
// gpg reports with a VALIDSIG status line naming the signer's primary key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PeerStepError,
  firstLine,
  runProcess,
  type DecryptRequest,
  type EncryptRequest,
  type KeyPair,
  type Peer,
  type ProcessResult,
} from './peer.ts';

export class GnuPgPeer implements Peer {
  readonly name = 'GnuPG (gpg)';
  readonly debianPackage = 'gnupg';
  readonly #homedir = mkdtempSync(join(tmpdir(), 'sealpost-interop-gpg-'));
  readonly #imported = new Set<string>();
  #files = 0;

  async version(): Promise<string> {
    return firstLine(new TextDecoder().decode((await this.#ok(['--version'])).stdout));
  }

  async generateKey(userId: string): Promise<KeyPair> {
    await this.#ok(['--quick-gen-key', userId, 'ed25519', 'sign,cert', 'never']);
    const listing = new TextDecoder().decode(
      (await this.#ok(['--with-colons', '--list-keys', userId])).stdout,
    );
    const fingerprint = listing
      .split('\n')
      .find((line) => line.startsWith('fpr:'))
      ?.split(':')[9];
    if (!fingerprint) throw new PeerStepError(`gpg lists no key for ${userId}`, false);
    await this.#ok(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
    this.#imported.add(fingerprint);
    return {
      secretKey: (await this.#ok(['--armor', '--export-secret-keys', fingerprint])).stdout,
      certificate: (await this.#ok(['--armor', '--export', fingerprint])).stdout,
      fingerprint,
    };
  }

  async encrypt(request: EncryptRequest): Promise<Uint8Array> {
    await this.#import(request.recipient);
    const sign = request.signer ? ['--sign', '--local-user', request.signer.fingerprint] : [];
    if (request.signer) await this.#import(request.signer);
    const armor = request.armor ? ['--armor'] : [];
    const args = [...armor, ...sign, '--recipient', request.recipient.fingerprint, '--encrypt'];
    return (await this.#ok([...args, '--output', '-'], request.data)).stdout;
  }

  async decrypt(request: DecryptRequest): Promise<{ data: Uint8Array; verified: boolean }> {
    await this.#import(request.recipient);
    if (request.signer) await this.#import(request.signer);
    const result = await this.#ok(
      ['--status-fd', '2', '--decrypt', '--output', '-'],
      request.message,
    );
    const verified =
      request.signer !== undefined && validSignature(result.stderr, request.signer.fingerprint);
    return { data: result.stdout, verified };
  }

  async sign(request: { data: Uint8Array; signer: KeyPair; armor: boolean }): Promise<Uint8Array> {
    await this.#import(request.signer);
    const armor = request.armor ? ['--armor'] : [];
    const args = [...armor, '--local-user', request.signer.fingerprint, '--detach-sign'];
    return (await this.#ok([...args, '--output', '-'], request.data)).stdout;
  }

  async verify(request: {
    data: Uint8Array;
    signature: Uint8Array;
    signer: KeyPair;
  }): Promise<boolean> {
    await this.#import(request.signer);
    const signature = this.#file(request.signature);
    const data = this.#file(request.data);
    const result = await this.#run(['--status-fd', '2', '--verify', signature, data]);
    return result.exitCode === 0 && validSignature(result.stderr, request.signer.fingerprint);
  }

  cleanup(): void {
    try {
      execFileSync('gpgconf', ['--homedir', this.#homedir, '--kill', 'gpg-agent'], {
        stdio: 'ignore',
      });
    } catch {
      // No agent was started for this home directory.
    }
    rmSync(this.#homedir, { recursive: true, force: true });
  }

  /** Imports the secret key (which contains the certificate); gpg must then list it. */
  async #import(key: KeyPair): Promise<void> {
    if (this.#imported.has(key.fingerprint)) return;
    const result = await this.#run(['--import'], key.secretKey);
    const listed = await this.#run(['--list-secret-keys', key.fingerprint]);
    if (listed.exitCode !== 0) {
      throw new PeerStepError(
        `gpg --import of ${key.fingerprint} failed: ${firstLine(result.stderr)}`,
        false,
      );
    }
    this.#imported.add(key.fingerprint);
  }

  #file(data: Uint8Array): string {
    const path = join(this.#homedir, `input-${++this.#files}`);
    writeFileSync(path, data);
    return path;
  }

  #run(args: readonly string[], input?: Uint8Array): Promise<ProcessResult> {
    return runProcess(
      'gpg',
      [
        '--homedir',
        this.#homedir,
        '--batch',
        '--no-tty',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--trust-model',
        'always',
        ...args,
      ],
      { input },
    );
  }

  async #ok(args: readonly string[], input?: Uint8Array): Promise<ProcessResult> {
    const result = await this.#run(args, input);
    if (result.exitCode !== 0) {
      const errors = result.stderr.split('\n').filter((line) => !line.startsWith('[GNUPG:]'));
      throw new PeerStepError(
        `gpg ${args.filter((arg) => arg.startsWith('--')).at(-1) ?? ''} exited with ${result.exitCode}: ${firstLine(errors.join('\n'))}`,
        false,
      );
    }
    return result;
  }
}

/** Checks that gpg's status output has a VALIDSIG line for the expected primary key. */
function validSignature(status: string, primaryFingerprint: string): boolean {
  return status
    .split('\n')
    .some(
      (line) =>
        line.startsWith('[GNUPG:] VALIDSIG ') &&
        line.trim().split(' ').at(-1) === primaryFingerprint,
    );
}
