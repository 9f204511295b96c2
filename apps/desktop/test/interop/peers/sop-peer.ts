// A peer that speaks the Stateless OpenPGP CLI: sqop (Sequoia), gosop (GopenPGP),
// pgpainless-cli (PGPainless) and Sealpost's own sealpost-sop, which runs in-process. Exit
// codes 37 (UNSUPPORTED_OPTION) and 69 (UNSUPPORTED_SUBCOMMAND) mean a missing feature.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs one SOP command line in a folder with the given standard input. */
export type SopRunner = (
  argv: readonly string[],
  input: Uint8Array,
  cwd: string,
) => Promise<ProcessResult>;

export interface SopPeerOptions {
  name: string;
  debianPackage: string | null;
  run: SopRunner;
  /** The decrypt option for the verification output: "--verifications-out" in current drafts. */
  verificationsOption: '--verifications-out' | '--verify-out';
  /** Extra generate-key arguments, such as a profile. */
  generateArguments?: readonly string[];
}

/** Runs a SOP program found on PATH. */
export function binaryRunner(command: string, env?: NodeJS.ProcessEnv): SopRunner {
  return (argv, input, cwd) => runProcess(command, argv, { input, cwd, env });
}

export class SopPeer implements Peer {
  readonly name: string;
  readonly debianPackage: string | null;
  readonly #options: SopPeerOptions;
  readonly #folder = mkdtempSync(join(tmpdir(), 'sealpost-interop-'));
  #files = 0;

  constructor(options: SopPeerOptions) {
    this.name = options.name;
    this.debianPackage = options.debianPackage;
    this.#options = options;
  }

  async version(): Promise<string> {
    return firstLine(new TextDecoder().decode(await this.#ok(['version'])));
  }

  async generateKey(userId: string): Promise<KeyPair> {
    const secretKey = await this.#ok([
      'generate-key',
      ...(this.#options.generateArguments ?? []),
      userId,
    ]);
    const certificate = await this.#ok(['extract-cert'], secretKey);
    const { fingerprint } = await readCertificate(certificate);
    return { secretKey, certificate, fingerprint: fingerprint.toUpperCase() };
  }

  async encrypt(request: EncryptRequest): Promise<Uint8Array> {
    const signWith = request.signer ? [`--sign-with=${this.#file(request.signer.secretKey)}`] : [];
    return this.#ok(
      [
        'encrypt',
        ...(request.armor ? [] : ['--no-armor']),
        ...signWith,
        this.#file(request.recipient.certificate),
      ],
      request.data,
    );
  }

  async decrypt(request: DecryptRequest): Promise<{ data: Uint8Array; verified: boolean }> {
    const verifications = join(this.#folder, `verifications-${++this.#files}`);
    const verify = request.signer
      ? [
          `--verify-with=${this.#file(request.signer.certificate)}`,
          `${this.#options.verificationsOption}=${verifications}`,
        ]
      : [];
    const data = await this.#ok(
      ['decrypt', ...verify, this.#file(request.recipient.secretKey)],
      request.message,
    );
    const verified =
      request.signer !== undefined &&
      readFileSync(verifications, 'utf8').includes(request.signer.fingerprint);
    return { data, verified };
  }

  async sign(request: { data: Uint8Array; signer: KeyPair; armor: boolean }): Promise<Uint8Array> {
    return this.#ok(
      ['sign', ...(request.armor ? [] : ['--no-armor']), this.#file(request.signer.secretKey)],
      request.data,
    );
  }

  async verify(request: {
    data: Uint8Array;
    signature: Uint8Array;
    signer: KeyPair;
  }): Promise<boolean> {
    const result = await this.#options.run(
      ['verify', this.#file(request.signature), this.#file(request.signer.certificate)],
      request.data,
      this.#folder,
    );
    if (result.exitCode === 3) return false;
    this.#check(['verify'], result);
    return new TextDecoder().decode(result.stdout).includes(request.signer.fingerprint);
  }

  cleanup(): void {
    rmSync(this.#folder, { recursive: true, force: true });
  }

  #file(data: Uint8Array): string {
    const path = join(this.#folder, `input-${++this.#files}`);
    writeFileSync(path, data);
    return path;
  }

  async #ok(argv: string[], input: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
    const result = await this.#options.run(argv, input, this.#folder);
    this.#check(argv, result);
    return result.stdout;
  }

  #check(argv: readonly string[], result: ProcessResult): void {
    if (result.exitCode === 0) return;
    const unsupported = result.exitCode === 37 || result.exitCode === 69;
    throw new PeerStepError(
      `${this.name} ${argv[0]} exited with ${result.exitCode}: ${firstLine(result.stderr)}`,
      unsupported,
    );
  }
}
