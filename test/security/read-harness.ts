// Shared setup for the read-path security tests. Two Sealpost users on the local mail stack
// (bob reads, alice sends), a third key whose User ID is another address (mallory), and a
// GnuPG signer for hashes and charsets that Sealpost never produces. Messages are delivered
// to bob's INBOX over IMAP and read back through the real core.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createUser,
  deliverRaw,
  swapCertificates,
  syncAndFind,
  uniqueAddress,
  type TestUser,
} from '../../apps/desktop/test/e2e/stack.ts';
import type { ReadResult } from '../../apps/desktop/src/core/read.ts';
import {
  encryptAndSign,
  generateIdentity,
  signDetached,
  unlockSecretKey,
  type UnlockedKey,
} from '../../packages/crypto-core/src/index.ts';
import { loadMailFixture } from '../fixtures/load.ts';

const encoder = new TextEncoder();
let caseCount = 0;

export interface Harness {
  alice: TestUser;
  bob: TestUser;
  aliceKey: UnlockedKey;
  malloryKey: UnlockedKey;
  gpg: GpgSigner;
  /** A unique Message-ID, so each case finds its own message. */
  messageId(): string;
  /** Encrypts `payload` to bob (and alice); signs it with alice's key unless `signed` is false. */
  encrypt(payload: Uint8Array, signed?: boolean): Promise<string>;
  /** Returns a signed-part entity and its detached signature by `key` (default alice). */
  signedPart(text: string, key?: UnlockedKey): Promise<{ SIGNED_PART: string; SIGNATURE: string }>;
  /** Delivers raw bytes to bob's INBOX and reads them through Sealpost's read path. */
  deliverAndRead(raw: Uint8Array, messageId: string): Promise<{ id: number; result: ReadResult }>;
  /** Delivers like deliverAndRead and returns the error that reading raised. */
  deliverAndFail(raw: Uint8Array, messageId: string): Promise<{ id: number; error: unknown }>;
  close(): void;
}

export async function openHarness(): Promise<Harness> {
  const alice = await createUser('alice');
  const bob = await createUser('bob');
  await swapCertificates(alice, bob);
  const [aliceKey] = await alice.sealpost.keys.unlockAll();

  const malloryPassphrase = 'mallory test passphrase';
  const mallory = await generateIdentity({
    address: uniqueAddress('mallory'),
    name: 'Mallory',
    passphrase: malloryPassphrase,
  });
  const malloryKey = await unlockSecretKey(mallory.secretKey, malloryPassphrase);
  const importOptions = { keyPassphrase: null, replacePinned: false };
  await bob.sealpost.keys.import(encoder.encode(mallory.certificate), importOptions);

  const gpg = createGpgSigner(uniqueAddress('gpg'));
  await bob.sealpost.keys.import(gpg.certificate, importOptions);

  const bobCertificate = bob.sealpost.keys.exportCertificate(bob.address);
  const harness: Harness = {
    alice,
    bob,
    aliceKey: aliceKey!,
    malloryKey,
    gpg,
    messageId() {
      caseCount += 1;
      return `<case-${caseCount}.${alice.address.split('@')[0]}@sealpost.test>`;
    },
    async encrypt(payload, signed = true) {
      return encryptAndSign({
        data: payload,
        recipientCertificates: [bobCertificate],
        ...(signed ? { signingKey: aliceKey! } : { encryptToSigner: false }),
      });
    },
    async signedPart(text, key = aliceKey!) {
      const entity = Buffer.from(loadMailFixture('signed-part.eml', { TEXT: text }))
        .toString('latin1')
        .replace(/\r\n$/, '');
      const signature = await signDetached({
        data: new Uint8Array(Buffer.from(entity, 'latin1')),
        signingKey: key,
      });
      return { SIGNED_PART: entity, SIGNATURE: signature.trim() };
    },
    async deliverAndRead(raw, messageId) {
      await deliverRaw(bob, raw);
      const id = await syncAndFind(bob, messageId);
      return { id, result: await bob.sealpost.mail.read(id) };
    },
    async deliverAndFail(raw, messageId) {
      await deliverRaw(bob, raw);
      const id = await syncAndFind(bob, messageId);
      try {
        await bob.sealpost.mail.read(id);
      } catch (error) {
        return { id, error };
      }
      throw new Error(`reading ${messageId} succeeded but was expected to fail`);
    },
    close() {
      gpg.close();
      malloryKey.clear();
      alice.close();
      bob.close();
    },
  };
  return harness;
}

export interface GpgSigner {
  address: string;
  certificate: Uint8Array;
  /** Clearsigns `text` bytes as they are (no charset conversion). */
  clearsign(text: Uint8Array): Uint8Array;
  /** Makes an armored detached signature with the named digest, e.g. SHA1 or MD5. */
  detachSign(data: Uint8Array, digest: string): string;
  close(): void;
}

/** GnuPG with an Ed25519 primary key and a Curve25519 encryption subkey for `address`, in a throw-away home folder. */
function createGpgSigner(address: string): GpgSigner {
  const home = mkdtempSync(path.join(os.tmpdir(), 'sealpost-gpg-signer-'));
  const gpg = (args: string[], input?: Uint8Array): Buffer =>
    execFileSync(
      'gpg',
      ['--homedir', home, '--batch', '--yes', '--no-tty', '--pinentry-mode', 'loopback'].concat([
        '--passphrase',
        '',
        ...args,
      ]),
      { input, stdio: ['pipe', 'pipe', 'pipe'] },
    );
  gpg(['--quick-gen-key', `Dora <${address}>`, 'future-default', 'default', 'never']);
  return {
    address,
    certificate: new Uint8Array(gpg(['--armor', '--export', address])),
    clearsign: (text) =>
      new Uint8Array(gpg(['--digest-algo', 'SHA256', '--clearsign', '--output', '-'], text)),
    detachSign: (data, digest) =>
      gpg(['--digest-algo', digest, '--armor', '--detach-sign', '--output', '-'], data).toString(
        'latin1',
      ),
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
