// Contacts and keys: the user's own keys with fingerprints and export, correspondents'
// certificates with where they came from, key changes flagged with Accept new key, and import
// from a file or pasted text (for example from the clipboard).

import { useCallback, useEffect, useState } from 'react';
import type { ContactView, IdentitySummary } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { formatFingerprint } from '../fingerprint.ts';
import { AcceptKeyDialog } from './AcceptKeyDialog.tsx';
import type { KeyChange } from './AcceptKeyDialog.tsx';
import { HardwareToken } from './HardwareToken.tsx';
import { SecurityKeys } from './SecurityKeys.tsx';

export function Contacts({ client }: { client: MailApiClient }) {
  const [identities, setIdentities] = useState<IdentitySummary[]>([]);
  const [contacts, setContacts] = useState<ContactView[]>([]);
  const [exported, setExported] = useState<{ address: string; armored: string } | null>(null);
  const [armored, setArmored] = useState('');
  const [replacePinned, setReplacePinned] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [accepting, setAccepting] = useState<KeyChange | null>(null);

  const refresh = useCallback(async () => {
    try {
      setIdentities(await client.call('key:list'));
      setContacts(await client.call('contact:list'));
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function exportKey(address: string, own: boolean) {
    try {
      const { armored: text } = own
        ? await client.call('key:export', { address })
        : await client.call('contact:export', { address });
      setExported({ address, armored: text });
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function importKey() {
    setError(null);
    setResult(null);
    try {
      const results = await client.call('key:import', {
        armored,
        keyPassphrase: null,
        replacePinned,
      });
      setResult(results.map((entry) => entry.summary).join('\n'));
      setArmored('');
      await refresh();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <section className="contacts" aria-labelledby="contacts-title">
      <h2 id="contacts-title">Contacts and keys</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <h3>Your keys</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Fingerprint</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {identities.map((identity) => (
            <tr key={identity.address}>
              <td>{identity.address}</td>
              <td className="fingerprint">{formatFingerprint(identity.fingerprint)}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Export the certificate of ${identity.address}`}
                  onClick={() => void exportKey(identity.address, true)}
                >
                  Export
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {exported && (
        <>
          <label htmlFor="exported-key">
            Certificate of {exported.address} (public, safe to share)
          </label>
          <textarea id="exported-key" readOnly rows={6} value={exported.armored} />
          <div className="actions">
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(exported.armored)}
            >
              Copy to clipboard
            </button>
          </div>
        </>
      )}

      <h3>Correspondents</h3>
      {contacts.length === 0 ? (
        <p className="hint">No keys yet. Sealpost learns them from received mail or an import.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Pinned fingerprint</th>
              <th scope="col">Source</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {contacts.map((contact) => (
              <tr key={contact.address} data-testid={`contact-${contact.address}`}>
                <td>{contact.address}</td>
                <td>
                  <span className="fingerprint">
                    {contact.fingerprint === null ? 'none' : formatFingerprint(contact.fingerprint)}
                  </span>
                  {contact.revoked === true && (
                    <p className="error">
                      Revoked: {contact.address} revoked this key, so mail to them cannot be
                      encrypted with it. Ask them for their new key and import it with “replace”.
                    </p>
                  )}
                  {contact.changedFingerprints.map((changed) => (
                    <div key={changed} className="error">
                      Key changed: <span className="fingerprint">{formatFingerprint(changed)}</span>{' '}
                      was seen and is not used. Check it with {contact.address}, then accept it if
                      it is theirs.{' '}
                      <button
                        type="button"
                        aria-label={`Accept the new key of ${contact.address}`}
                        onClick={() =>
                          setAccepting({
                            address: contact.address,
                            pinned: contact.fingerprint,
                            changed,
                          })
                        }
                      >
                        Accept new key
                      </button>
                    </div>
                  ))}
                </td>
                <td>{contact.source}</td>
                <td>
                  {contact.fingerprint && (
                    <button
                      type="button"
                      aria-label={`Export the certificate of ${contact.address}`}
                      onClick={() => void exportKey(contact.address, false)}
                    >
                      Export
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Import a key</h3>
      <label htmlFor="import-key-file">From a file</label>
      <input
        id="import-key-file"
        type="file"
        accept=".asc,.pgp,.gpg,.key,text/plain"
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) void file.text().then(setArmored);
        }}
      />
      <label htmlFor="import-key-text">Or paste an armored key</label>
      <textarea
        id="import-key-text"
        rows={5}
        placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----"
        value={armored}
        onChange={(event) => setArmored(event.target.value)}
      />
      <label>
        <input
          type="checkbox"
          style={{ width: 'auto', marginRight: 6 }}
          checked={replacePinned}
          onChange={(event) => setReplacePinned(event.target.checked)}
        />
        Replace the pinned key of that address (only after checking the fingerprint with them)
      </label>
      {result && (
        <p className="success" role="status" style={{ whiteSpace: 'pre-wrap' }}>
          {result}
        </p>
      )}
      <div className="actions">
        <button
          className="primary"
          type="button"
          disabled={!armored}
          onClick={() => void importKey()}
        >
          Import
        </button>
      </div>
      {accepting && (
        <AcceptKeyDialog
          client={client}
          change={accepting}
          onCancel={() => setAccepting(null)}
          onAccepted={(accepted) => {
            setAccepting(null);
            setResult(
              `Pinned ${formatFingerprint(accepted.fingerprint)} for ${accepted.address}` +
                (accepted.verified ? ', marked as verified.' : '.'),
            );
            void refresh();
          }}
        />
      )}
      <HardwareToken client={client} identities={identities} />
      <SecurityKeys client={client} />
    </section>
  );
}
