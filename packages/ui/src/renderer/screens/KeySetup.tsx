// Key step of onboarding: create a new OpenPGP key for the account's address, import an
// existing secret key (for example from `gpg --export-secret-keys --armor`), or restore a
// Sealpost backup (`sealpost key export --backup`) with its recovery code.

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
  const [backup, setBackup] = useState<File | null>(null);
  const [recoveryCode, setRecoveryCode] = useState('');
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

  const restore = () =>
    run(async () => {
      if (!backup) throw new Error('Choose the backup file first.');
      const restored = await props.client.call('key:restore', {
        armored: await backup.text(),
        recoveryCode,
        // Core then restores nothing from a backup without a key for this address.
        address: props.address,
      });
      const own = restored.find((key) => key.address.toLowerCase() === props.address.toLowerCase());
      if (!own) {
        const addresses = restored.map((key) => key.address).join(', ') || 'no address';
        throw new Error(
          `The backup contains keys for ${addresses}, not for ${props.address}; create a new key or import one for ${props.address}.`,
        );
      }
      return { address: own.address, fingerprint: own.fingerprint };
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
      <div className="actions">
        <button type="button" onClick={() => void importKey()} disabled={busy || !armored}>
          Import key
        </button>
      </div>
      <h3>Or restore a Sealpost backup</h3>
      <label htmlFor="restore-backup-file">Backup file (from key export --backup)</label>
      <input
        id="restore-backup-file"
        type="file"
        accept=".asc,.txt,text/plain,application/pgp-encrypted"
        onChange={(event) => setBackup(event.target.files?.[0] ?? null)}
      />
      <label htmlFor="restore-recovery-code">Recovery code</label>
      <input
        id="restore-recovery-code"
        autoComplete="off"
        spellCheck={false}
        placeholder="1234-5678-…"
        value={recoveryCode}
        onChange={(event) => setRecoveryCode(event.target.value)}
      />
      <div className="actions">
        <button
          type="button"
          onClick={() => void restore()}
          disabled={busy || !backup || !recoveryCode}
        >
          Restore backup
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
