// The key discovery and trust commands as a script runs them: `send --dry-run` (plan printed,
// nothing sent), `contacts verify`, `contacts accept-key`, `contacts qr`, `contacts lookup`
// against a local HTTPS WKD server, and `key import-setup-message` with a setup code file.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToBinary, generateIdentity, readCertificate } from '@sealpost/crypto-core';
import { ImapSession, wkdUrls } from '@sealpost/mail-transport';
import {
  startKeyServer,
  type KeyServer,
} from '../../../../packages/mail-transport/test/key-server.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { resolveDataPaths } from '../../src/core/paths.ts';
import { Sealpost } from '../../src/core/sealpost.ts';
import { SETUP_CODE, setupMessage } from '../discovery/setup-message-fixture.ts';
import { addCliUser, runSealpost, type CliResult } from './cli-runner.ts';
import { imapOptionsFor, uniqueAddress } from '../e2e/stack.ts';

const PASSPHRASE = 'discovery cli passphrase';

// jsqr is CommonJS with `exports.default`; depending on the loader the default import is the
// function itself or the module object that contains it.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr =
  typeof jsQRModule === 'function'
    ? (jsQRModule as unknown as JsQr)
    : (jsQRModule as unknown as { default: JsQr }).default;

interface ContactJson {
  address: string;
  fingerprint: string | null;
  source: string;
  verifiedBy: string | null;
  changedFingerprints: string[];
}

describe('discovery commands', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sealpost-discovery-cli-'));
  const alice = { address: uniqueAddress('dcli-alice'), home: path.join(work, 'alice') };
  const bob = { address: uniqueAddress('dcli-bob'), home: path.join(work, 'bob') };
  const passphraseFile = path.join(work, 'passphrase');
  let bobFingerprint: string;
  let server: KeyServer;

  /** Runs the sealpost command with the data folder `home` and the passphrase file. */
  function sealpost(home: string, args: string[]): Promise<CliResult> {
    return runSealpost(home, [...args, '--passphrase-file', passphraseFile]);
  }

  async function contactsOf(home: string): Promise<ContactJson[]> {
    const listed = await sealpost(home, ['contacts', '--json']);
    expect(listed.status).toBe(0);
    return JSON.parse(listed.stdout) as ContactJson[];
  }

  beforeAll(async () => {
    writeFileSync(passphraseFile, `${PASSPHRASE}\n`);
    server = await startKeyServer(['openpgpkey.wkd.test', 'wkd.test']);
    await addCliUser(alice, work, ['--passphrase-file', passphraseFile]);
    await addCliUser(bob, work, ['--passphrase-file', passphraseFile]);

    const bobCertificate = path.join(work, 'bob.asc');
    const exported = await sealpost(bob.home, [
      'key',
      'export',
      '--address',
      bob.address,
      '--output',
      bobCertificate,
    ]);
    expect(exported.status).toBe(0);
    bobFingerprint = (await readCertificate(readFileSync(bobCertificate, 'utf8'))).fingerprint;
    expect((await sealpost(alice.home, ['key', 'import', bobCertificate])).status).toBe(0);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('send --dry-run prints the plan, sends nothing', async () => {
    const result = await sealpost(alice.home, [
      'send',
      '--to',
      bob.address,
      '--subject',
      'Not sent',
      '--dry-run',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^Plan: encrypted \(OpenPGP, post-quantum ML-KEM-768\+X25519\) and signed, because .+\.$/m,
    );
    expect(result.stdout).toContain(`${bob.address}  ${bobFingerprint}  (key-known`);
    expect(result.stdout).toContain('Nothing was sent (--dry-run).');

    const sealpostCore = await Sealpost.open(
      resolveDataPaths({ SEALPOST_HOME: alice.home }),
      createSilentLogger(),
      { passphrase: PASSPHRASE, preferPassphrase: true },
    );
    try {
      expect(sealpostCore.mail.listOutbox()).toEqual([]);
    } finally {
      sealpostCore.close();
    }
    const session = await ImapSession.connect(imapOptionsFor(bob.address));
    try {
      const { messages } = await session.fetchNew('INBOX', {});
      expect(messages).toHaveLength(0);
    } finally {
      await session.close();
    }
  });

  it('contacts verify checks the fingerprint', async () => {
    const wrong = await sealpost(alice.home, [
      'contacts',
      'verify',
      bob.address,
      '--fingerprint',
      'ab'.repeat(20),
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('FINGERPRINT_MISMATCH');

    const spaced = bobFingerprint.toUpperCase().replace(/(.{4})/g, '$1 ');
    const verified = await sealpost(alice.home, [
      'contacts',
      'verify',
      bob.address,
      '--fingerprint',
      spaced,
    ]);
    expect(verified.stderr).toBe('');
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(`for ${bob.address}`);
    const contact = (await contactsOf(alice.home)).find((entry) => entry.address === bob.address);
    expect(contact?.verifiedBy).toBe('fingerprint');
  });

  it('contacts accept-key --verified pins and verifies', async () => {
    const address = uniqueAddress('dcli-carol');
    const first = await generateIdentity({ address, passphrase: 'first' });
    const second = await generateIdentity({ address, passphrase: 'second' });
    const firstFile = path.join(work, 'carol-first.asc');
    const secondFile = path.join(work, 'carol-second.asc');
    writeFileSync(firstFile, first.certificate);
    writeFileSync(secondFile, second.certificate);
    expect((await sealpost(alice.home, ['key', 'import', firstFile])).status).toBe(0);
    expect((await sealpost(alice.home, ['key', 'import', secondFile])).status).toBe(0);
    const flagged = (await contactsOf(alice.home)).find((entry) => entry.address === address);
    expect(flagged?.fingerprint).toBe(first.fingerprint);
    expect(flagged?.changedFingerprints).toEqual([second.fingerprint]);

    const accepted = await sealpost(alice.home, [
      'contacts',
      'accept-key',
      address,
      second.fingerprint,
      '--verified',
    ]);
    expect(accepted.stderr).toBe('');
    expect(accepted.status).toBe(0);
    expect(accepted.stdout).toContain('marked verified');
    const after = (await contactsOf(alice.home)).find((entry) => entry.address === address);
    expect(after?.fingerprint).toBe(second.fingerprint);
    expect(after?.changedFingerprints).toEqual([]);
    expect(after?.verifiedBy).toBe('fingerprint');
  });

  it('contacts accept-key rejects an unknown key', async () => {
    const result = await sealpost(alice.home, [
      'contacts',
      'accept-key',
      bob.address,
      'cd'.repeat(20),
      '--verified',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('CONTACT_CERTIFICATE_NOT_FOUND');
  });

  it('contacts qr writes a scannable openpgp4fpr code', async () => {
    const output = path.join(work, 'alice-qr.png');
    const result = await sealpost(alice.home, [
      'contacts',
      'qr',
      '--address',
      alice.address,
      '--output',
      output,
    ]);
    expect(result.status).toBe(0);
    const image = PNG.sync.read(readFileSync(output));
    const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(code?.data).toMatch(/^OPENPGP4FPR:[0-9A-F]{40,64}#a=/);
    expect(result.stdout).toContain(code!.data);
    const listed = await sealpost(alice.home, ['key', 'list', '--json']);
    const identities = JSON.parse(listed.stdout) as Array<{ address: string; fingerprint: string }>;
    const own = identities.find((identity) => identity.address === alice.address);
    expect(code!.data.toLowerCase()).toContain(own!.fingerprint.toLowerCase());
  });

  it('contacts lookup finds a key by WKD', async () => {
    const address = 'dana@wkd.test';
    const certificate = await generateIdentity({ address, passphrase: 'dana' });
    server.publish(
      'openpgpkey.wkd.test',
      wkdUrls(address).advanced.pathname,
      await certificateToBinary(certificate.certificate),
    );
    const caFile = path.join(work, 'key-server-ca.pem');
    writeFileSync(caFile, server.ca);

    const result = await sealpost(alice.home, [
      'contacts',
      'lookup',
      address,
      '--ca-file',
      caFile,
      '--resolve',
      `openpgpkey.wkd.test:${server.port}:127.0.0.1`,
      '--resolve',
      `wkd.test:${server.port}:127.0.0.1`,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const found = JSON.parse(result.stdout) as { source: string; fingerprint: string };
    expect(found.source).toBe('wkd');
    expect(found.fingerprint).toBe(certificate.fingerprint);
    const contact = (await contactsOf(alice.home)).find((entry) => entry.address === address);
    expect(contact?.source).toBe('wkd');
    expect(server.requests.some((request) => request.startsWith('openpgpkey.wkd.test'))).toBe(true);
  });

  it('key import-setup-message reads the code file', async () => {
    const address = uniqueAddress('dcli-setup');
    const { raw, fingerprint } = await setupMessage(address);
    const messageFile = path.join(work, 'setup.eml');
    const codeFile = path.join(work, 'setup-code');
    writeFileSync(messageFile, raw);
    writeFileSync(codeFile, `${SETUP_CODE}\n`);

    const wrongFile = path.join(work, 'wrong-code');
    writeFileSync(wrongFile, `9${SETUP_CODE.slice(1)}\n`);
    const wrong = await sealpost(alice.home, [
      'key',
      'import-setup-message',
      messageFile,
      '--setup-code-file',
      wrongFile,
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('SETUP_CODE_INVALID');

    const result = await sealpost(alice.home, [
      'key',
      'import-setup-message',
      messageFile,
      '--setup-code-file',
      codeFile,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const listed = await sealpost(alice.home, ['key', 'list', '--json']);
    const identities = JSON.parse(listed.stdout) as Array<{ address: string; fingerprint: string }>;
    expect(identities).toContainEqual(expect.objectContaining({ address, fingerprint }));
  });
});
