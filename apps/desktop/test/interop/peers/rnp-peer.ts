// RNP 0.16 (package rnp) as an interop peer. rnp reads keys from one file per call
// (--keyfile), so it runs without a keyring; only key generation uses a throw-away home
// directory. rnpkeys generates its default: RSA 2048 with an RSA encryption subkey.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCertificate } from '@sealpost/crypto-core';
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

export class RnpPeer implements Peer {
  readonly name = 'RNP (rnp)';
  readonly debianPackage = 'rnp';
  readonly #folder = mkdtempSync(join(tmpdir(), 'sealpost-interop-rnp-'));
  #files = 0;

  async version(): Promise<string> {
    return firstLine(new TextDecoder().decode((await this.#ok('rnp', ['--version'])).stdout));
  }

  async generateKey(userId: string): Promise<KeyPair> {
    const homedir = join(this.#folder, `home-${++this.#files}`);
    mkdirSync(homedir);
    const home = ['--homedir', homedir];
    await this.#ok('rnpkeys', [...home, '--generate-key', '--userid', userId, '--password', '']);
    const secretKey = (await this.#ok('rnpkeys', [...home, '--export-key', '--secret', userId]))
      .stdout;
    const certificate = (await this.#ok('rnpkeys', [...home, '--export-key', userId])).stdout;
    const { fingerprint } = await readCertificate(certificate);
    return { secretKey, certificate, fingerprint: fingerprint.toUpperCase() };
  }

  async encrypt(request: EncryptRequest): Promise<Uint8Array> {
    const keys = [request.recipient.certificate];
    const sign: string[] = [];
    if (request.signer) {
      keys.push(request.signer.secretKey);
      sign.push('--sign', '--userid', request.signer.fingerprint);
    }
    const args = [
      '--keyfile',
      this.#file(joinKeys(keys)),
      '--password',
      '',
      '--encrypt',
      '--recipient',
      request.recipient.fingerprint,
      ...sign,
      ...(request.armor ? ['--armor'] : []),
      '--output=-',
      this.#file(request.data),
    ];
    return (await this.#ok('rnp', args)).stdout;
  }

  async decrypt(request: DecryptRequest): Promise<{ data: Uint8Array; verified: boolean }> {
    const keys = [request.recipient.secretKey];
    if (request.signer) keys.push(request.signer.certificate);
    const args = ['--keyfile', this.#file(joinKeys(keys)), '--password', '', '--decrypt'];
    const result = await this.#ok('rnp', [...args, '--output=-', this.#file(request.message)]);
    const verified = request.signer !== undefined && /Good signature/.test(result.stderr);
    return { data: result.stdout, verified };
  }

  async sign(request: { data: Uint8Array; signer: KeyPair; armor: boolean }): Promise<Uint8Array> {
    const args = [
      '--keyfile',
      this.#file(request.signer.secretKey),
      '--password',
      '',
      '--sign',
      '--detach',
      '--userid',
      request.signer.fingerprint,
      ...(request.armor ? ['--armor'] : []),
      '--output=-',
      this.#file(request.data),
    ];
    return (await this.#ok('rnp', args)).stdout;
  }

  async verify(request: {
    data: Uint8Array;
    signature: Uint8Array;
    signer: KeyPair;
  }): Promise<boolean> {
    const data = this.#file(request.data);
    const args = ['--keyfile', this.#file(request.signer.certificate), '--verify'];
    const result = await runProcess('rnp', [
      ...args,
      this.#file(request.signature),
      '--source',
      data,
    ]);
    return (
      result.exitCode === 0 &&
      /Good signature/.test(result.stderr + new TextDecoder().decode(result.stdout))
    );
  }

  cleanup(): void {
    rmSync(this.#folder, { recursive: true, force: true });
  }

  #file(data: Uint8Array): string {
    const path = join(this.#folder, `input-${++this.#files}`);
    writeFileSync(path, data);
    return path;
  }

  async #ok(command: string, args: readonly string[]): Promise<ProcessResult> {
    const result = await runProcess(command, [...args, '--notty']);
    if (result.exitCode !== 0) {
      throw new PeerStepError(
        `${command} exited with ${result.exitCode}: ${firstLine(result.stderr)}`,
        false,
      );
    }
    return result;
  }
}

/**
 * Joins armored key blocks into one file. rnp 0.16 fails to load a key file that has an empty
 * line after the last armor block, so a newline goes only between blocks that lack one.
 */
function joinKeys(keys: readonly Uint8Array[]): Uint8Array {
  const parts = keys.map((key, index) =>
    index < keys.length - 1 && key.at(-1) !== 0x0a
      ? Buffer.concat([Buffer.from(key), Buffer.from('\n')])
      : Buffer.from(key),
  );
  return Buffer.concat(parts);
}
