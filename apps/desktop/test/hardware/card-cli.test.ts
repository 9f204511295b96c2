// The `sealpost card` commands as scripts use them, against the OpenPGP card emulator behind
// the real pcscd and vpcd: status, moving a key with PINs from files, and a wrong PIN that
// names the tries left without a second try.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VirtualCardBench } from '../../../../packages/hardware-token/test/helpers/virtual-card.ts';
import { repositoryRoot, uniqueAddress } from '../e2e/stack.ts';

const run = promisify(execFile);
const cliEntry = path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts');

let bench: VirtualCardBench;
let work: string;
let address: string;
const files = { passphrase: '', userPin: '', adminPin: '', wrongPin: '' };

async function sealpost(
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', cliEntry, '--passphrase-file', files.passphrase, ...args],
      { cwd: repositoryRoot, env: { ...process.env, SEALPOST_HOME: path.join(work, 'home') } },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      status: failure.code ?? 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    };
  }
}

beforeAll(async () => {
  bench = await VirtualCardBench.start();
  await bench.insertCard();
  work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-card-cli-'));
  for (const [name, value] of [
    ['passphrase', 'card cli passphrase'],
    ['userPin', '123456'],
    ['adminPin', '12345678'],
    ['wrongPin', '000000'],
  ] as const) {
    files[name] = path.join(work, name);
    writeFileSync(files[name], `${value}\n`, { mode: 0o600 });
  }
  address = uniqueAddress('card');
  const generated = await sealpost(['key', 'generate', '--address', address]);
  expect(generated.stderr).toBe('');
});

afterAll(async () => {
  await bench?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('move-key requires a disk copy choice', async () => {
  const result = await sealpost(['card', 'move-key', '--address', address]);

  expect(result.status).toBe(1);
  expect(result.stderr).toContain('INVALID_ARGUMENT');
  expect(result.stderr).toContain('--keep-disk-copy');
});

it('move-key imports the key', async () => {
  const result = await sealpost([
    'card',
    'move-key',
    '--address',
    address,
    '--keep-disk-copy',
    '--admin-pin-file',
    files.adminPin,
    '--pin-file',
    files.userPin,
  ]);

  expect(result.stderr).toBe('');
  expect(result.stdout).toContain('passed a test signature and decryption');
  const status = JSON.parse((await sealpost(['card', 'status', '--json'])).stdout) as {
    boundAddresses: string[];
    userPinRetries: number;
    signatureFingerprint: string | null;
  };
  expect(status.boundAddresses).toEqual([address]);
  expect(status.userPinRetries).toBe(3);
  expect(status.signatureFingerprint).not.toBeNull();
});

it('wrong PIN file is sent once', async () => {
  const result = await sealpost([
    'card',
    'use-key',
    '--address',
    address,
    '--pin-file',
    files.wrongPin,
  ]);

  expect(result.status).toBe(1);
  expect(result.stderr).toContain('CARD_PIN_INVALID');
  expect(result.stderr).toContain('2 tries remain');
  const status = await sealpost(['card', 'status']);
  expect(status.stdout).toContain('PIN retries:     user 2, admin 3');
});
