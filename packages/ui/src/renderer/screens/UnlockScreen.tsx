// Unlock screen, shown only when core reports that it needs the Sealpost passphrase: on first
// run without an OS keychain the user chooses one (typed twice), later they enter it.

import { useState } from 'react';
import type { FormEvent } from 'react';
import type { SessionStatus } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';

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

  return (
    <form className="card" onSubmit={submit} aria-labelledby="unlock-title">
      <h1 id="unlock-title">{choosing ? 'Choose a Sealpost passphrase' : 'Unlock Sealpost'}</h1>
      <p className="hint">
        {choosing
          ? 'No OS keychain is available, so a passphrase protects your keys and account passwords. Sealpost asks for it each time it starts.'
          : 'Enter the Sealpost passphrase that protects your keys.'}
      </p>
      <label htmlFor="passphrase">Sealpost passphrase</label>
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
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button className="primary" type="submit" disabled={busy || passphrase.length === 0}>
          {choosing ? 'Create' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}
