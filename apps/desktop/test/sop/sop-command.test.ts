// sealpost-sop run in-process on files in a temporary folder: every subcommand's round trip,
// the pq and compat profiles, and the exit codes and error lines for bad input. The last
// block runs the executable wrapper, as other programs call it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, readCertificate } from '@sealpost/crypto-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSop, type SopResult } from '../../src/sop/run.ts';

const folder = mkdtempSync(join(tmpdir(), 'sealpost-sop-'));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function sop(argv: string[], stdin: string | Uint8Array = ''): Promise<SopResult> {
  const input = typeof stdin === 'string' ? encoder.encode(stdin) : stdin;
  return runSop(argv, { readStdin: async () => input, cwd: folder, env: { SOP_PASSWORD: 'pw' } });
}

async function write(name: string, argv: string[], stdin: string | Uint8Array = ''): Promise<void> {
  const result = await sop(argv, stdin);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  writeFileSync(join(folder, name), result.stdout);
}

function file(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(folder, name)));
}

beforeAll(async () => {
  await write('alice.key', ['generate-key', 'Alice <alice@example.org>']);
  await write('alice.cert', ['extract-cert'], file('alice.key'));
  await write('bob.key', ['generate-key', '--profile=compat', 'bob@example.org']);
  await write('bob.cert', ['extract-cert'], file('bob.key'));
  writeFileSync(join(folder, 'password'), 'secret password\n');
  await write('carol.key', [
    'generate-key',
    '--with-key-password=password',
    'Carol <carol@example.org>',
  ]);
  await write('carol.cert', ['extract-cert'], file('carol.key'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('sealpost-sop keys', () => {
  it('version and profiles', async () => {
    expect(decoder.decode((await sop(['version'])).stdout)).toMatch(
      /^sealpost-sop \d+\.\d+\.\d+\n$/,
    );
    const profiles = decoder.decode((await sop(['list-profiles', 'generate-key'])).stdout);
    expect(profiles.split('\n')[0]).toMatch(/^pq: /);
    expect(profiles).toMatch(/\ncompat: /);
  });

  it('pq profile has the PQ subkey', async () => {
    const info = await readCertificate(file('alice.cert'));
    expect(info.hasPostQuantumSubkey).toBe(true);
    expect(info.userIds).toEqual(['Alice <alice@example.org>']);
    expect(decoder.decode(file('alice.key'))).toContain('PRIVATE KEY BLOCK');
  });

  it('compat profile is classical', async () => {
    const info = await readCertificate(file('bob.cert'));
    expect(info.hasPostQuantumSubkey).toBe(false);
    expect(info.hasEncryptionSubkey).toBe(true);
  });

  it('extract-cert binary matches armored', async () => {
    const binary = await sop(['extract-cert', '--no-armor'], file('alice.key'));
    expect(binary.stdout[0]! & 0x80).toBe(0x80);
    const info = await readCertificate(binary.stdout);
    expect(info.postQuantumSubkeyFingerprint).toBe(
      (await readCertificate(file('alice.cert'))).postQuantumSubkeyFingerprint,
    );
  });
});

describe('sealpost-sop messages', () => {
  it('encrypt and decrypt, armored and binary', async () => {
    for (const armor of [[], ['--no-armor']]) {
      const encrypted = await sop(['encrypt', ...armor, 'alice.cert', 'bob.cert'], 'hi both');
      expect(encrypted.exitCode).toBe(0);
      expect(decoder.decode(encrypted.stdout).startsWith('-----BEGIN PGP MESSAGE-----')).toBe(
        armor.length === 0,
      );
      for (const key of ['alice.key', 'bob.key']) {
        const decrypted = await sop(['decrypt', key], encrypted.stdout);
        expect(decoder.decode(decrypted.stdout)).toBe('hi both');
      }
    }
  });

  it('encrypt+sign then decrypt+verify', async () => {
    const encrypted = await sop(['encrypt', '--sign-with=bob.key', 'alice.cert'], 'signed');
    const result = await sop(
      ['decrypt', '--verify-with=bob.cert', '--verifications-out=verified.txt', 'alice.key'],
      encrypted.stdout,
    );
    expect(decoder.decode(result.stdout)).toBe('signed');
    const fingerprint = (await readCertificate(file('bob.cert'))).fingerprint.toUpperCase();
    expect(decoder.decode(file('verified.txt'))).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ [0-9A-F]{40} ${fingerprint}\\n$`),
    );
  });

  it('sign and verify detached', async () => {
    const signature = await sop(['sign', 'alice.key'], 'exact bytes\r\n');
    writeFileSync(join(folder, 'data.sig'), signature.stdout);
    const valid = await sop(['verify', 'data.sig', 'alice.cert'], 'exact bytes\r\n');
    expect(valid.exitCode).toBe(0);
    expect(decoder.decode(valid.stdout)).toContain(
      (await readCertificate(file('alice.cert'))).fingerprint.toUpperCase(),
    );
    const changed = await sop(['verify', 'data.sig', 'alice.cert'], 'exact bytes\n');
    expect(changed.exitCode).toBe(3);
    const wrongSigner = await sop(['verify', 'data.sig', 'bob.cert'], 'exact bytes\r\n');
    expect(wrongSigner.exitCode).toBe(3);
    const future = await sop(
      ['verify', '--not-before=2999-01-01T00:00:00Z', 'data.sig', 'alice.cert'],
      'exact bytes\r\n',
    );
    expect(future.exitCode).toBe(3);
  });

  it('inline-sign and inline-verify', async () => {
    for (const as of ['binary', 'clearsigned']) {
      const signed = await sop(['inline-sign', `--as=${as}`, 'bob.key'], 'inline text');
      expect(signed.exitCode).toBe(0);
      const verified = await sop(
        ['inline-verify', '--verifications-out=inline-' + as, 'bob.cert'],
        signed.stdout,
      );
      expect(verified.exitCode).toBe(0);
      expect(decoder.decode(verified.stdout)).toBe('inline text');
      expect(decoder.decode(file('inline-' + as))).toMatch(/Z [0-9A-F]{40} [0-9A-F]{40}\n$/);
      expect((await sop(['inline-verify', 'alice.cert'], signed.stdout)).exitCode).toBe(3);
    }
  });

  it('armor and dearmor round trip', async () => {
    const binary = await sop(['dearmor'], file('alice.cert'));
    expect(binary.stdout[0]! & 0x80).toBe(0x80);
    const armored = await sop(['armor'], binary.stdout);
    expect(decoder.decode(armored.stdout)).toContain('-----BEGIN PGP PUBLIC KEY BLOCK-----');
    expect((await sop(['armor'], armored.stdout)).stdout).toEqual(armored.stdout);
    expect((await sop(['dearmor'], binary.stdout)).stdout).toEqual(binary.stdout);
  });

  it('protected key needs its password', async () => {
    const encrypted = await sop(['encrypt', 'carol.cert'], 'for carol');
    const locked = await sop(['decrypt', 'carol.key'], encrypted.stdout);
    expect(locked.exitCode).toBe(67);
    expect(locked.stderr).toMatch(/^sealpost-sop: KEY_IS_PROTECTED: .*--with-key-password/);

    writeFileSync(join(folder, 'wrong'), 'not it');
    const wrong = await sop(
      ['decrypt', '--with-key-password=wrong', 'carol.key'],
      encrypted.stdout,
    );
    expect(wrong.exitCode).toBe(67);
    expect(wrong.stderr).toMatch(/check the password/);

    const opened = await sop(
      ['decrypt', '--with-key-password=password', 'carol.key'],
      encrypted.stdout,
    );
    expect(decoder.decode(opened.stdout)).toBe('for carol');
    const fromEnv = await sop(
      ['decrypt', '--with-key-password=@ENV:SOP_PASSWORD', 'carol.key'],
      encrypted.stdout,
    );
    expect(fromEnv.exitCode).toBe(67);
  });
});

describe('sealpost-sop bad input', () => {
  it('missing arguments exit 19', async () => {
    for (const argv of [['encrypt'], ['decrypt'], ['sign'], ['verify', 'data.sig'], []]) {
      const result = await sop(argv, 'x');
      expect(result.exitCode, argv.join(' ')).toBe(19);
      expect(result.stderr).toMatch(/^sealpost-sop: MISSING_ARG: /);
    }
  });

  it('garbage exits 41', async () => {
    writeFileSync(join(folder, 'garbage'), 'this is not a key');
    const cases: Array<[string[], string]> = [
      [['decrypt', 'alice.key'], 'garbage message'],
      [['encrypt', 'garbage'], 'x'],
      [['extract-cert'], 'garbage'],
      [['dearmor'], 'not armored and not packets'],
      [['decrypt', 'alice.cert'], 'x'],
    ];
    for (const [argv, stdin] of cases) {
      const result = await sop(argv, stdin);
      expect(result.exitCode, argv.join(' ')).toBe(41);
      expect(result.stderr).toMatch(/^sealpost-sop: BAD_DATA: .+/);
    }
  });

  it('expired certificate exits 17', async () => {
    const expired = await generateIdentity({
      address: 'old@example.org',
      passphrase: 'x',
      date: new Date(Date.now() - 10 * 86_400_000),
      keyExpirationTime: 86_400,
    });
    writeFileSync(join(folder, 'expired.cert'), expired.certificate);
    const result = await sop(['encrypt', 'expired.cert'], 'x');
    expect(result.exitCode).toBe(17);
    expect(result.stderr).toMatch(
      /^sealpost-sop: CERT_CANNOT_ENCRYPT: .*no usable encryption subkey/,
    );
  });

  it('message for another key exits 29', async () => {
    const encrypted = await sop(['encrypt', 'bob.cert'], 'for bob');
    const result = await sop(['decrypt', 'alice.key'], encrypted.stdout);
    expect(result.exitCode).toBe(29);
    expect(result.stdout).toHaveLength(0);
  });

  it('unknown subcommand and option', async () => {
    expect((await sop(['frobnicate'])).exitCode).toBe(69);
    expect((await sop(['encrypt', '--frob', 'alice.cert'])).exitCode).toBe(37);
    expect((await sop(['generate-key', '--profile=nope', 'a@example.org'])).exitCode).toBe(89);
    expect((await sop(['decrypt', 'missing.key'], 'x')).exitCode).toBe(61);
    expect((await sop(['decrypt', '@FOO:bar'], 'x')).exitCode).toBe(71);
  });

  it('empty key password is rejected', async () => {
    writeFileSync(join(folder, 'blank'), ' \n');
    const result = await sop(['generate-key', '--with-key-password=blank', 'dan@example.org']);
    expect(result.exitCode).toBe(41);
    expect(result.stderr).toMatch(/--with-key-password file is empty/);
  });

  it('existing verifications file exits 59', async () => {
    writeFileSync(join(folder, 'taken'), '');
    const encrypted = await sop(['encrypt', 'alice.cert'], 'x');
    const result = await sop(
      ['decrypt', '--verify-with=alice.cert', '--verifications-out=taken', 'alice.key'],
      encrypted.stdout,
    );
    expect(result.exitCode).toBe(59);
  });
});

describe('sealpost-sop executable', () => {
  const script = join(import.meta.dirname, '../../../../scripts/sealpost-sop');

  it('runs from another folder', () => {
    const version = spawnSync(script, ['version'], { cwd: folder, encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^sealpost-sop /);

    const encrypted = spawnSync(script, ['encrypt', 'alice.cert'], {
      cwd: folder,
      input: 'via script',
    });
    expect(encrypted.status).toBe(0);
    const decrypted = spawnSync(script, ['decrypt', 'alice.key'], {
      cwd: folder,
      input: encrypted.stdout,
    });
    expect(decrypted.stdout.toString()).toBe('via script');
  });

  it('exits with the SOP code', () => {
    const result = spawnSync(script, ['encrypt'], { cwd: folder, input: 'x', encoding: 'utf8' });
    expect(result.status).toBe(19);
    expect(result.stderr).toMatch(/^sealpost-sop: MISSING_ARG: /);
  });
});
