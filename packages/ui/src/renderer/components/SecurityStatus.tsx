// The app's security indicator for an opened message, drawn outside the message area in the
// app's own chrome with core's status words. Message content renders inside a sandboxed
// iframe or a plain text block below it, so no message can draw into or over this element.

import type { MessageView } from '../../api/types.ts';
import { appWording } from '../app-wording.ts';
import { LockIcon } from './LockIcon.tsx';

type Level = 'ok' | 'warn' | 'bad';

/** Verified means: decrypted, and one valid signature by a key that belongs to From. */
export function securityLevel(message: MessageView): Level {
  const encrypted = message.encryption.status === 'encrypted';
  const verified = message.signatures.some(
    (signature) => signature.status === 'valid' && signature.signerMatchesFrom,
  );
  if (message.signatures.some((signature) => signature.status === 'invalid')) return 'bad';
  if (encrypted && verified) return 'ok';
  if (!encrypted) return 'bad';
  return 'warn';
}

export function SecurityStatus({ message }: { message: MessageView }) {
  const level = securityLevel(message);
  const verified = level === 'ok';
  return (
    <section
      className={`security ${level}`}
      aria-label="Security status"
      data-testid="security-status"
      data-verified={verified ? 'true' : 'false'}
    >
      <div className="line">
        <span className="label">
          {message.encryption.status === 'encrypted' && <LockIcon />} Encryption
        </span>
        <span data-testid="encryption-words">{appWording(message.encryption.words)}</span>
      </div>
      <div className="line">
        <span className="label">Signature</span>
        <span data-testid="signature-words">
          {message.signatures.length === 0
            ? 'not signed: the sender cannot be verified'
            : message.signatures.map((signature) => appWording(signature.words)).join('; ')}
        </span>
      </div>
      {message.encryption.status === 'encrypted' && !message.headersProtected && (
        <div className="line">
          <span className="label">Subject</span>
          <span>the subject was not protected by the encryption</span>
        </div>
      )}
    </section>
  );
}
