// GnuPG 2.2 in a throw-away home directory, as the interoperability peer that verifies card
// signatures and encrypts to card keys. Every call runs non-interactively.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class GnuPG {
  readonly homedir = mkdtempSync(join(tmpdir(), 'sealpost-card-gpg-'));

  run(
    args: string[],
    input?: Uint8Array | string,
  ): { status: number; stdout: Buffer; stderr: string } {
    const result = spawnSync(
      'gpg',
      ['--homedir', this.homedir, '--batch', '--no-tty', '--trust-model', 'always', ...args],
      {
        input: input === undefined ? undefined : Buffer.from(input),
        timeout: 60_000,
      },
    );
    return {
      status: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr.toString('utf8'),
    };
  }

  ok(args: string[], input?: Uint8Array | string): Buffer {
    const result = this.run(args, input);
    if (result.status !== 0)
      throw new Error(`gpg ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
    return result.stdout;
  }

  writeFile(name: string, data: Uint8Array | string): string {
    const path = join(this.homedir, name);
    writeFileSync(path, data);
    return path;
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
