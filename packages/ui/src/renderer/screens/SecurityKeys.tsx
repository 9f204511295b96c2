// The "Security keys" panel: the FIDO2 security keys that unlock this data folder, enrolling
// one (two touches, and its PIN when it has one) and removing one, as `sealpost key fido2`
// does. "Require" makes a key necessary to start Sealpost; a keychain folder then gets a
// recovery code that is shown once here and stored nowhere.

import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { MailApiError } from '../../api/result.ts';
import type { SecurityKeyList } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { NoticeText } from '../components/NoticeText.tsx';

export function SecurityKeys({ client }: { client: MailApiClient }) {
  const [keys, setKeys] = useState<SecurityKeyList | null>(null);
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [require, setRequire] = useState(false);
  const [busy, setBusy] = useState(false);
  const [touchNeeded, setTouchNeeded] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [recoveryCode, setRecoveryCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    client.call('securitykey:list').then(setKeys, (caught) => setError(messageOf(caught)));
    return client.subscribe('securitykey:prompt', (event) => {
      if (event.prompt === 'touch') setTouchNeeded(true);
    });
  }, [client]);

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setTouchNeeded(false);
    setError(null);
    setResult(null);
    try {
      setResult(await action());
    } catch (caught) {
      setError(messageOf(caught));
      if (caught instanceof MailApiError && caught.code.startsWith('FIDO_PIN')) setPin('');
    } finally {
      setBusy(false);
      setTouchNeeded(false);
    }
  }

  async function enroll(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const enrolled = await client.call('securitykey:enroll', {
        name: name.trim() || null,
        require,
        pin: pin === '' ? null : pin,
      });
      setKeys(enrolled);
      setRecoveryCode(enrolled.recoveryCode);
      setName('');
      setPin('');
      return (
        `Enrolled security key "${enrolled.key.name}"` +
        (enrolled.key.pinRequired ? ', which needs its PIN to unlock. ' : '. ') +
        (enrolled.required
          ? 'Sealpost now needs an enrolled security key to start.'
          : 'The security key is an additional way to unlock Sealpost.')
      );
    });
  }

  async function remove(keyName: string) {
    await run(async () => {
      setKeys(await client.call('securitykey:remove', { name: keyName }));
      return `Removed security key "${keyName}".`;
    });
  }

  return (
    <section className="security-keys" aria-labelledby="security-keys-title">
      <h3 id="security-keys-title">Security keys</h3>
      <p className="hint">
        A FIDO2 security key (YubiKey, SoloKey, Nitrokey) with hmac-secret can unlock Sealpost.
        Enrolling takes two touches of the key.
      </p>
      {keys && keys.keys.length === 0 && <p>No security key is enrolled.</p>}
      {keys && keys.keys.length > 0 && (
        <>
          <ul aria-label="Enrolled security keys">
            {keys.keys.map((key) => (
              <li key={key.name}>
                {key.name}, enrolled {new Date(key.createdAt).toLocaleDateString()}
                {key.pinRequired ? ', PIN required' : ''}{' '}
                <button
                  type="button"
                  aria-label={`Remove security key ${key.name}`}
                  disabled={busy}
                  onClick={() => void remove(key.name)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <p className="hint">
            {keys.required
              ? 'A security key is required to unlock Sealpost.'
              : 'Security keys are an additional way to unlock Sealpost.'}
          </p>
        </>
      )}

      <form onSubmit={enroll} aria-label="Enroll a security key">
        <label htmlFor="security-key-name">Name (optional)</label>
        <input
          id="security-key-name"
          value={name}
          maxLength={64}
          placeholder="security-key-1"
          onChange={(event) => setName(event.target.value)}
        />
        <label htmlFor="security-key-enroll-pin">Security key PIN (empty if it has none)</label>
        <input
          id="security-key-enroll-pin"
          type="password"
          autoComplete="off"
          value={pin}
          onChange={(event) => setPin(event.target.value)}
        />
        <label>
          <input
            type="checkbox"
            checked={require}
            onChange={(event) => setRequire(event.target.checked)}
          />
          Require a security key to start Sealpost (the passphrase, or a new recovery code, stays as
          the way to recover)
        </label>
        <div className="actions">
          <button
            className="primary"
            type="submit"
            disabled={busy || (pin.length > 0 && pin.length < 4)}
          >
            Enroll security key
          </button>
        </div>
      </form>

      {busy && (
        <p className="notice" role="status">
          {touchNeeded ? 'Touch your security key' : 'Waiting for the security key…'}
        </p>
      )}
      {error && <NoticeText notice={error} tone="error" />}
      {result && (
        <p className="success" role="status">
          {result}
        </p>
      )}
      {recoveryCode && (
        <div className="notice">
          <p>
            Recovery code (shown only now; write it down and keep it apart from the key). If every
            enrolled key is lost, it opens this data folder:
          </p>
          <p className="fingerprint" aria-label="Recovery code">
            {recoveryCode}
          </p>
        </div>
      )}
    </section>
  );
}
