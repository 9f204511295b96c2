// Runs GnuPG in a throw-away home folder, as an independent OpenPGP peer for interop tests.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GnuPg {
  home: string;
  run(args: string[], input?: string | Uint8Array): { stdout: string; status: string };
  close(): void;
}

export function createGnuPg(): GnuPg {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-gnupg-'));
  return {
    home,
    run(args, input) {
      // Status lines go to stdout (fd 1) after the payload; `--output -` keeps them apart.
      const statusFile = path.join(home, 'status.txt');
      const stdout = execFileSync(
        'gpg',
        [
          '--homedir',
          home,
          '--batch',
          '--yes',
          '--no-tty',
          '--trust-model',
          'always',
          '--status-file',
          statusFile,
          ...args,
        ],
        { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const status = execFileSync('cat', [statusFile], { encoding: 'utf8' });
      return { stdout, status };
    },
    close() {
      try {
        execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        // gpg-agent may not have started; nothing to stop.
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
