// An Autocrypt Setup Message (Autocrypt Level 1 section 4.4) as another client would send it:
// a fresh secret key, symmetrically encrypted with a numeric setup code, in an HTML attachment.

import { createMessage, encrypt, generateKey } from 'openpgp';

export const SETUP_CODE = '1234-5678-9012-3456-7890-1234-5678-9012-3456';

/** Builds the raw setup message for a new key of `address`. */
export async function setupMessage(address: string): Promise<{ raw: string; fingerprint: string }> {
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
