// Import of an Autocrypt Setup Message: the secret key, symmetrically encrypted with a numeric
// setup code as Autocrypt Level 1 section 4.4 describes, becomes a Sealpost identity.

import { createMessage, encrypt, generateKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalUser, encode, type LocalUser } from './helpers.ts';

const SETUP_CODE = '1234-5678-9012-3456-7890-1234-5678-9012-3456';

async function setupMessage(address: string): Promise<{ raw: string; fingerprint: string }> {
  const { privateKey, publicKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ email: address }],
    format: 'object',
  });
  const payload = privateKey
    .armor()
    .replace(
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\n',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\nAutocrypt-Prefer-Encrypt: mutual\n',
    );
  const armored = (await encrypt({
    message: await createMessage({ text: payload }),
    passwords: [SETUP_CODE],
    format: 'armored',
  })) as string;
  const withHeaders = armored.replace(
    '-----BEGIN PGP MESSAGE-----\n',
    '-----BEGIN PGP MESSAGE-----\nPassphrase-Format: numeric9x4\nPassphrase-Begin: 12\n',
  );
  const attachment = `<html><body><p>Autocrypt setup data</p><pre>\n${withHeaders}</pre></body></html>\n`;
  const raw = [
    `From: ${address}`,
    `To: ${address}`,
    'Subject: Autocrypt Setup Message',
    'Autocrypt-Setup-Message: v1',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="setup"',
    '',
    '--setup',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This message contains all information to transfer your Autocrypt settings.',
    '--setup',
    'Content-Type: application/autocrypt-setup',
    'Content-Disposition: attachment; filename="autocrypt-setup-message.html"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(attachment).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--setup--',
    '',
  ].join('\r\n');
  return { raw, fingerprint: publicKey.getFingerprint() };
}

describe('Autocrypt Setup Message import', () => {
  let user: LocalUser;

  beforeAll(async () => {
    user = await openLocalUser('setup');
  });

  afterAll(() => user?.close());

  it('rejects a wrong setup code', async () => {
    const { raw } = await setupMessage(`wrong-${user.address}`);
    await expect(
      user.sealpost.importSetupMessage(encode(raw), '9999-5678-9012-3456-7890-1234-5678-9012-3456'),
    ).rejects.toMatchObject({ code: 'SETUP_CODE_INVALID' });
    await expect(user.sealpost.importSetupMessage(encode(raw), '1234')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('imports the key with the right code', async () => {
    const address = `imported-${user.address}`;
    const { raw, fingerprint } = await setupMessage(address);
    const digitsOnly = SETUP_CODE.replace(/-/g, '');
    const results = await user.sealpost.importSetupMessage(encode(raw), digitsOnly);
    expect(results).toHaveLength(1);
    expect(results[0]?.kind).toBe('secret-key');
    expect(results[0]?.fingerprint).toBe(fingerprint);
    expect(user.sealpost.keys.list().map((identity) => identity.address)).toContain(address);
  });
});
