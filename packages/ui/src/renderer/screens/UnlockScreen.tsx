// Unlock screen, shown only when core reports that it needs the Sealpost passphrase: on first
// run without an OS keychain the user chooses one (typed twice), later they enter it. With an
// enrolled FIDO2 security key it also offers the key. When the key is required, the passphrase
// or recovery code field appears only after "Use recovery code". Notices and errors put their
// technical cause behind "Details".

import { useState } from 'react';
import type { FormEvent } from 'react';
import type { SessionStatus } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { SecurityKeyUnlock } from './SecurityKeyUnlock.tsx';
import { NoticeText } from '../components/NoticeText.tsx';

export function UnlockScreen(props: {
  client: MailApiClient;
  status: SessionStatus;
  onUnlocked: () => void;
}) {
  const choosing = props.status.choosingPassphrase;
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const securityKey = props.status.securityKey;
  const [recovering, setRecovering] = useState(false);
  const recoveryCode = securityKey.required && securityKey.recovery === 'recovery-code';
  const secretLabel = recoveryCode ? 'Recovery code' : 'Sealpost passphrase';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (choosing && passphrase !== repeat) {
      setError('The two passphrases differ; type the same passphrase twice.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await props.client.call('session:unlock', { passphrase });
      props.onUnlocked();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const notices = props.status.notices.map((notice) => <NoticeText key={notice} notice={notice} />);

  if (securityKey.required && !recovering) {
    return (
      <section className="card" aria-labelledby="unlock-title">
        <h1 id="unlock-title">Unlock Sealpost</h1>
        <p className="hint">This data folder opens with its security key.</p>
        {notices}
        <SecurityKeyUnlock
          client={props.client}
          securityKey={securityKey}
          onUnlocked={props.onUnlocked}
        />
        {securityKey.recovery !== null && (
          <div className="actions">
            <button type="button" onClick={() => setRecovering(true)}>
              {recoveryCode ? 'Use recovery code' : 'Use recovery passphrase'}
            </button>
          </div>
        )}
      </section>
    );
  }

  // The security key form sits beside the passphrase form, because forms cannot nest.
  const keyOffered = securityKey.enrolled && !securityKey.required && !choosing;
  const passphraseForm = (
    <form
      className={keyOffered ? undefined : 'card'}
      onSubmit={submit}
      aria-labelledby="unlock-title"
    >
      <h1 id="unlock-title">{choosing ? 'Choose a Sealpost passphrase' : 'Unlock Sealpost'}</h1>
      <p className="hint">
        {choosing
          ? // Core's keychain notice below gives the reason for the passphrase.
            'This passphrase protects your keys and account passwords on this computer. Sealpost asks for it each time it starts.'
          : recoveryCode
            ? 'Enter the recovery code that was shown once when the security key became required.'
            : 'Enter the Sealpost passphrase that protects your keys.'}
      </p>
      {notices}
      <label htmlFor="passphrase">{secretLabel}</label>
      <input
        id="passphrase"
        type="password"
        autoFocus
        autoComplete={choosing ? 'new-password' : 'current-password'}
        value={passphrase}
        onChange={(event) => setPassphrase(event.target.value)}
      />
      {choosing && (
        <>
          <label htmlFor="passphrase-repeat">Repeat the passphrase</label>
          <input
            id="passphrase-repeat"
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
          />
        </>
      )}
      {error && <NoticeText notice={error} tone="error" />}
      {busy && (
        // Argon2id key derivation takes seconds by design, so the wait is named.
        <p className="hint" aria-live="polite" data-testid="unlock-progress">
          {recoveryCode
            ? 'Deriving the key from your recovery code…'
            : 'Deriving the key from your passphrase…'}
        </p>
      )}
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || passphrase.length === 0}>
          {choosing ? 'Create' : 'Unlock'}
        </button>
      </div>
    </form>
  );
  return keyOffered ? (
    <section className="card" aria-labelledby="unlock-title">
      {passphraseForm}
      <SecurityKeyUnlock
        client={props.client}
        securityKey={securityKey}
        onUnlocked={props.onUnlocked}
      />
    </section>
  ) : (
    passphraseForm
  );
}
