// Plain-word descriptions of encryption and signature results, shared by the CLI and, later,
// the UI, so both say the same thing about the same message.

import type { ReadResult, SignatureReport } from './read.ts';

export function describeEncryption(message: Pick<ReadResult, 'encryption' | 'kind'>): string {
  const { encryption } = message;
  switch (encryption.status) {
    case 'encrypted':
      // Ratchet mode decrypts with session keys, not with one of the user's OpenPGP keys.
      if (message.kind === 'ratchet-encrypted') return 'encrypted (ratchet mode, post-quantum)';
      return `encrypted (OpenPGP), decrypted with your key ${encryption.decryptedWith ?? 'unknown'}`;
    case 'not-encrypted':
      return 'NOT encrypted: the server and anyone on the way could read this message';
  }
}

export function describeSignature(signature: SignatureReport, from: string | null): string {
  const signer = signature.signerFingerprint ? ` key ${signature.signerFingerprint}` : '';
  switch (signature.status) {
    case 'valid':
      return signature.signerMatchesFrom
        ? `valid, signed by ${from ?? 'the sender'} (${signature.signerFingerprint})`
        : `valid signature by${signer}, but that key does not belong to the From address ${from ?? '-'}`;
    case 'invalid':
      return `INVALID: the message was changed after signing or the signature is broken${signature.reason ? ` (${signature.reason})` : ''}`;
    case 'unknown-key':
      return signature.reason
        ? `cannot be checked: ${signature.reason}`
        : `cannot be checked: signed by an unknown${signer || ' key'}; import the sender's certificate to verify`;
    case 'expired-key':
      return `signed by${signer} which has expired`;
    case 'revoked-key':
      return `signed by${signer} which its owner has revoked; do not trust it`;
  }
}
