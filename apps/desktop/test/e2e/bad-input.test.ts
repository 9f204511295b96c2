// Bad input: each case gives one clear error with a stable code, and nothing stored is lost
// or half-written.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, IMAP_STARTTLS_PORT, SMTP_SUBMISSION_PORT, stackCertificate } from './stack.ts';
import type { TestUser } from './stack.ts';

describe('bad input', () => {
  let alice: TestUser;

  beforeAll(async () => {
    alice = await createUser('alice');
  });

  afterAll(() => alice?.close());

  const accountInput = (overrides: { password?: string; imapPort?: number }) => ({
    email: 'bob@sealpost.test',
    displayName: null,
    imap: {
      host: '127.0.0.1',
      port: overrides.imapPort ?? IMAP_STARTTLS_PORT,
      security: 'starttls' as const,
      user: 'bob@sealpost.test',
    },
    smtp: {
      host: '127.0.0.1',
      port: SMTP_SUBMISSION_PORT,
      security: 'starttls' as const,
      user: 'bob@sealpost.test',
    },
    password: overrides.password ?? 'sealpost-bob',
    pinnedCertificate: stackCertificate(),
  });

  it('unknown recipients are named and nothing is queued', async () => {
    const send = alice.sealpost.mail.send({
      from: null,
      to: ['nobody@sealpost.test'],
      cc: ['stranger@example.org'],
      bcc: [],
      subject: 'Hello',
      text: 'Hi',
      attachments: [],
      allowPlaintext: false,
    });
    await expect(send).rejects.toMatchObject({ code: 'RECIPIENT_KEY_MISSING' });
    await expect(send).rejects.toThrow(/nobody@sealpost\.test, stranger@example\.org/);
    expect(alice.sealpost.mail.listOutbox()).toEqual([]);
  });

  it('a wrong IMAP password stores no account', async () => {
    await expect(
      alice.sealpost.accounts.add(accountInput({ password: 'wrong' })),
    ).rejects.toMatchObject({
      code: 'IMAP_AUTH_FAILED',
    });
    expect(alice.sealpost.accounts.list().map((account) => account.email)).toEqual([alice.address]);
  });

  it('an unreachable server stores no account', async () => {
    await expect(alice.sealpost.accounts.add(accountInput({ imapPort: 1 }))).rejects.toMatchObject({
      code: 'IMAP_CONNECTION_FAILED',
    });
    expect(alice.sealpost.accounts.list()).toHaveLength(1);
  });

  it('a corrupt armored key changes no contact', async () => {
    const before = alice.sealpost.contacts.list();
    const armored = alice.sealpost.keys.exportCertificate(alice.address);
    const lines = armored.split('\n');
    lines[4] = lines[4]!.split('').reverse().join('');
    await expect(
      alice.sealpost.keys.import(new TextEncoder().encode(lines.join('\n')), {
        keyPassphrase: null,
        replacePinned: false,
      }),
    ).rejects.toMatchObject({ code: 'KEY_MALFORMED' });
    await expect(
      alice.sealpost.keys.import(new TextEncoder().encode('not a key at all'), {
        keyPassphrase: null,
        replacePinned: false,
      }),
    ).rejects.toMatchObject({ code: 'KEY_MALFORMED' });
    expect(alice.sealpost.contacts.list()).toEqual(before);
  });

  it('a wrong passphrase is rejected before any secret is used', async () => {
    const again = await createUser('carol', { generateKey: false, keystore: 'passphrase' });
    try {
      again.sealpost.lock();
      expect(() => again.sealpost.unlock('a different passphrase')).toThrow(
        expect.objectContaining({ code: 'INVALID_PASSPHRASE' }),
      );
    } finally {
      again.close();
    }
  });
});
