// Key step of onboarding: create a new OpenPGP key for the account's address, or import an
// existing secret key (for example from `gpg --export-secret-keys --armor`).

import { useState } from 'react';
import type { IdentitySummary } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';

export function KeySetup(props: {
  client: MailApiClient;
  address: string;
  onReady: (identity: IdentitySummary) => void;
}) {
  const [armored, setArmored] = useState('');
  const [keyPassphrase, setKeyPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<IdentitySummary>) {
    setBusy(true);
    setError(null);
    try {
      props.onReady(await action());
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const generate = () =>
    run(() => props.client.call('key:generate', { address: props.address, name: null }));

  const importKey = () =>
    run(async () => {
      const [imported] = await props.client.call('key:import', {
        armored,
        keyPassphrase: keyPassphrase || null,
        replacePinned: false,
      });
      if (!imported || imported.kind !== 'secret-key') {
        throw new Error('That was a certificate (public key); paste your secret key instead.');
      }
      return { address: imported.address, fingerprint: imported.fingerprint };
    });

  return (
    <section aria-labelledby="key-title">
      <h2 id="key-title">2. Your key for {props.address}</h2>
      <p>Sealpost encrypts and signs with an OpenPGP key that never leaves this computer.</p>
      <div className="actions">
        <button className="primary" type="button" onClick={() => void generate()} disabled={busy}>
          {busy ? 'Working…' : 'Create a new key'}
        </button>
      </div>
      <h3>Or import your existing secret key</h3>
      <label htmlFor="import-secret-key">Armored secret key</label>
      <textarea
        id="import-secret-key"
        rows={4}
        placeholder="-----BEGIN PGP PRIVATE KEY BLOCK-----"
        value={armored}
        onChange={(event) => setArmored(event.target.value)}
      />
      <label htmlFor="import-key-passphrase">Passphrase of that key (if it has one)</label>
      <input
        id="import-key-passphrase"
        type="password"
        value={keyPassphrase}
        onChange={(event) => setKeyPassphrase(event.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void importKey()} disabled={busy || !armored}>
          Import key
        </button>
      </div>
    </section>
  );
}
