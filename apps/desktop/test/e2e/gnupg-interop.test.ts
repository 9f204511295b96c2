// Interop with GnuPG both ways: gpg decrypts and verifies a message Sealpost sent, and
// Sealpost reads a PGP/MIME message whose OpenPGP part gpg made with --encrypt --sign.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncryptedMessage, buildInnerEntity, parseMessage } from '@sealpost/mail-transport';
import { createGnuPg } from './gnupg.ts';
import type { GnuPg } from './gnupg.ts';
import {
  createUser,
  deliverRaw,
  fetchRawFromMailbox,
  swapCertificates,
  syncAndFind,
  uniqueAddress,
} from './stack.ts';
import type { TestUser } from './stack.ts';

const DAVE = 'dave@gnupg.example';

function primaryFingerprint(gpg: GnuPg, address: string): string {
  return gpg
    .run(['--with-colons', '--list-keys', address])
    .stdout.match(/^fpr:+([0-9A-F]{40}):/m)![1]!;
}

describe('GnuPG interop', () => {
  let alice: TestUser;
  let bob: TestUser;
  let gpg: GnuPg;

  beforeAll(async () => {
    alice = await createUser('alice');
    bob = await createUser('bob');
    await swapCertificates(alice, bob);
    gpg = createGnuPg();
  });

  afterAll(() => {
    alice?.close();
    bob?.close();
    gpg?.close();
  });

  it('gpg decrypts a Sealpost message and verifies its signature', async () => {
    // Dave uses GnuPG 2.2, which has no post-quantum keys, so Sealpost falls back to classical.
    const dave = uniqueAddress('dave');
    gpg.run([
      '--passphrase',
      '',
      '--quick-generate-key',
      `Dave <${dave}>`,
      'ed25519',
      'sign',
      'never',
    ]);
    const daveFingerprint = primaryFingerprint(gpg, dave);
    gpg.run(['--passphrase', '', '--quick-add-key', daveFingerprint, 'cv25519', 'encr', 'never']);
    await alice.sealpost.keys.import(
      new TextEncoder().encode(gpg.run(['--armor', '--export', dave]).stdout),
      {
        keyPassphrase: null,
        replacePinned: false,
      },
    );

    const sent = await alice.sealpost.mail.send({
      from: null,
      to: [dave],
      cc: [],
      bcc: [],
      subject: 'Read me with GnuPG',
      text: 'Hello GnuPG.\n',
      attachments: [],
      allowPlaintext: false,
    });
    expect(sent.mode).toBe('openpgp');
    expect(sent.postQuantum).toBe(false);
    expect(sent.modeReason).toContain('classical');

    const raw = await fetchRawFromMailbox(dave, sent.messageId);
    const parsed = parseMessage(raw);
    expect(parsed.kind).toBe('pgp-mime-encrypted');

    gpg.run(['--import'], alice.sealpost.keys.exportCertificate(alice.address));
    const { stdout, status } = gpg.run(['--decrypt'], parsed.encrypted!.armoredCiphertext);
    const aliceFingerprint = alice.sealpost.keys.list()[0]!.fingerprint.toUpperCase();
    expect(status).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(status).toMatch(new RegExp(`\\[GNUPG:\\] VALIDSIG ${aliceFingerprint} `));
    expect(status).toContain('[GNUPG:] GOODSIG');
    expect(stdout).toContain('Subject: Read me with GnuPG');
    expect(stdout).toContain('Hello GnuPG.');
  });

  it('Sealpost reads a message gpg encrypted and signed', async () => {
    gpg.run([
      '--passphrase',
      '',
      '--quick-generate-key',
      `Dave <${DAVE}>`,
      'ed25519',
      'sign',
      'never',
    ]);
    const daveFingerprint = gpg
      .run(['--with-colons', '--list-keys', DAVE])
      .stdout.match(/^fpr:+([0-9A-F]{40}):/m)![1]!;
    gpg.run(['--passphrase', '', '--quick-add-key', daveFingerprint, 'cv25519', 'encr', 'never']);
    gpg.run(['--import'], bob.sealpost.keys.exportCertificate(bob.address));

    const date = new Date();
    const messageId = `gpg-${Date.now()}@sealpost.test`;
    const headers = { from: DAVE, to: [bob.address], cc: [], date, messageId };
    const inner = buildInnerEntity({
      headers: { ...headers, subject: 'Made by GnuPG' },
      text: 'Signed and encrypted by gpg.\n',
      attachments: [],
    });
    const { stdout: armoredCiphertext } = gpg.run(
      ['--armor', '--local-user', DAVE, '--recipient', bob.address, '--encrypt', '--sign'],
      inner,
    );
    await deliverRaw(bob, buildEncryptedMessage({ headers, armoredCiphertext }));

    const id = await syncAndFind(bob, `<${messageId}>`);
    const withoutKey = await bob.sealpost.mail.read(id);
    expect(withoutKey.signatures[0]!.status).toBe('unknown-key');

    const daveCertificate = gpg.run(['--armor', '--export', DAVE]).stdout;
    await bob.sealpost.keys.import(new TextEncoder().encode(daveCertificate), {
      keyPassphrase: null,
      replacePinned: false,
    });
    const message = await bob.sealpost.mail.read(id);
    expect(message.encryption.status).toBe('encrypted');
    expect(message.subject).toBe('Made by GnuPG');
    expect(message.text).toContain('Signed and encrypted by gpg.');
    expect(message.signatures[0]!.status).toBe('valid');
    expect(message.signatures[0]!.signerFingerprint).toBe(daveFingerprint.toLowerCase());
    expect(message.signatures[0]!.signerMatchesFrom).toBe(true);
  });
});
