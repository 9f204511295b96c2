// `sealpost key fido2` as a script runs it: a child process per command, with the software
// authenticator put behind the CLI's FIDO2 device source by a module loaded with --import.
// Covers enrolment with --require, the touch prompt at start, the refused removal of the last
// key, and recovery with the recovery code after the only key is lost.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readKeystoreFile } from '../../src/core/keystore/keystore-file.ts';
import { repositoryRoot } from '../e2e/stack.ts';
import { localAddress } from '../at-rest/helpers.ts';

const run = promisify(execFile);
const cliEntry = path.join(repositoryRoot, 'apps/desktop/src/cli/main.ts');
const preload = path.join(
  repositoryRoot,
  'apps/desktop/test/fido2/software-authenticator-preload.ts',
);

let work: string;
let home: string;

/** Runs `sealpost ...args` with the authenticator whose state lives in `authenticator`.json. */
async function sealpost(
  authenticator: string,
  args: string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', preload, cliEntry, ...args],
      {
        cwd: repositoryRoot,
        env: {
          ...process.env,
          SEALPOST_HOME: home,
          SEALPOST_TEST_FIDO2_STATE: path.join(work, `${authenticator}.json`),
        },
      },
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

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-fido2-cli-'));
  home = path.join(work, 'home');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

it('requires the key and recovers a lost one', async () => {
  const address = localAddress('fido2-cli');
  const generated = await sealpost('desk', ['key', 'generate', '--address', address]);
  expect(generated.status, generated.stderr).toBe(0);

  const enrolled = await sealpost('desk', [
    'key',
    'fido2',
    'enroll',
    '--name',
    'desk',
    '--require',
  ]);
  expect(enrolled.status, enrolled.stderr).toBe(0);
  expect(enrolled.stderr).toContain('Touch your security key.');
  expect(enrolled.stdout).toContain('Enrolled FIDO2 key "desk"');
  const recoveryCode = /((?:\d{4}-){9}\d{4})/.exec(enrolled.stdout)?.[1];
  expect(recoveryCode).toBeDefined();
  expect(readKeystoreFile(path.join(home, 'keystore.json')).mode).toBe('fido2');

  const listed = await sealpost('desk', ['key', 'fido2', 'list', '--json']);
  expect(listed.status, listed.stderr).toBe(0);
  expect(listed.stderr).toContain('Touch your security key.');
  const keys = JSON.parse(listed.stdout) as { required: boolean; keys: Array<{ name: string }> };
  expect(keys.required).toBe(true);
  expect(keys.keys.map((key) => key.name)).toEqual(['desk']);

  const lastRemoval = await sealpost('desk', ['key', 'fido2', 'remove', 'desk']);
  expect(lastRemoval.status).toBe(1);
  expect(lastRemoval.stderr).toMatch(/^sealpost: FIDO2_LAST_UNLOCK_METHOD: /m);

  // The desk key is lost; a new key stores none of the enrolled credentials.
  const lost = await sealpost('spare', ['key', 'list']);
  expect(lost.status).toBe(1);
  expect(lost.stderr).toMatch(/^sealpost: FIDO_CREDENTIAL_NOT_FOUND: /m);

  const codeFile = path.join(work, 'recovery-code');
  writeFileSync(codeFile, `${recoveryCode}\n`, { mode: 0o600 });
  const recover = ['--fido2-recovery-code-file', codeFile];
  const spare = await sealpost('spare', [...recover, 'key', 'fido2', 'enroll', '--name', 'spare']);
  expect(spare.status, spare.stderr).toBe(0);
  const removed = await sealpost('spare', [...recover, 'key', 'fido2', 'remove', 'desk']);
  expect(removed.status, removed.stderr).toBe(0);

  const opened = await sealpost('spare', ['key', 'list']);
  expect(opened.status, opened.stderr).toBe(0);
  expect(opened.stdout).toContain(address);
  const stale = await sealpost('desk', ['key', 'list']);
  expect(stale.stderr).toMatch(/^sealpost: FIDO_CREDENTIAL_NOT_FOUND: /m);
});
