// The "plug in hardware token" panel. It detects an OpenPGP card and shows its serial number,
// fingerprints and PIN retry counters. It moves a key to the card (keeping or destroying the
// disk copy) or uses a key already on it, and stores the user PIN for send and read.

import { useState } from 'react';
import type { CardStatusView, IdentitySummary } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { formatFingerprint } from '../fingerprint.ts';

export function HardwareToken({
  client,
  identities,
}: {
  client: MailApiClient;
  identities: IdentitySummary[];
}) {
  const [status, setStatus] = useState<CardStatusView | null>(null);
  const [address, setAddress] = useState('');
  const [userPin, setUserPin] = useState('');
  const [adminPin, setAdminPin] = useState('');
  const [keepDiskCopy, setKeepDiskCopy] = useState(true);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<string>) {
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      setResult(await action());
      setStatus(await client.call('card:status'));
    } catch (caught) {
      setError(messageOf(caught));
      // A wrong PIN lowers the retry counter, so the counters are read again. A card that
      // cannot be read any more hides the old status.
      setStatus(await client.call('card:status').catch(() => null));
    } finally {
      setBusy(false);
    }
  }

  const chosen = address || identities[0]?.address || '';

  return (
    <section className="hardware-token" aria-labelledby="hardware-token-title">
      <h3 id="hardware-token-title">Hardware token</h3>
      <p className="hint">
        Plug in an OpenPGP card (YubiKey, Nitrokey) and detect it. Its keys sign and decrypt your
        mail; the PIN is asked for on each use.
      </p>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void run(async () => 'Card found.')}>
          Detect card
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {result && <p role="status">{result}</p>}

      {status && (
        <>
          <dl className="card-status">
            <dt>Serial number</dt>
            <dd>
              {status.serial} (OpenPGP card {status.version}, {status.readerName})
            </dd>
            <dt>Signature key</dt>
            <dd className="fingerprint">{fingerprintOrEmpty(status.signatureFingerprint)}</dd>
            <dt>Decryption key</dt>
            <dd className="fingerprint">{fingerprintOrEmpty(status.decryptionFingerprint)}</dd>
            <dt>PIN retries</dt>
            <dd>
              user {status.userPinRetries}
              {status.userPinRetries === 0 ? ' (blocked)' : ''}, admin {status.adminPinRetries}
            </dd>
            <dt>Used for</dt>
            <dd>{status.boundAddresses.join(', ') || 'no address'}</dd>
          </dl>

          <label htmlFor="card-address">Address</label>
          <select
            id="card-address"
            value={chosen}
            onChange={(event) => setAddress(event.target.value)}
          >
            {identities.map((identity) => (
              <option key={identity.address} value={identity.address}>
                {identity.address}
              </option>
            ))}
          </select>
          <label htmlFor="card-user-pin">User PIN</label>
          <input
            id="card-user-pin"
            type="password"
            autoComplete="off"
            value={userPin}
            onChange={(event) => setUserPin(event.target.value)}
          />
          <label htmlFor="card-admin-pin">Admin PIN (only to move a key)</label>
          <input
            id="card-admin-pin"
            type="password"
            autoComplete="off"
            value={adminPin}
            onChange={(event) => setAdminPin(event.target.value)}
          />
          <label>
            <input
              type="checkbox"
              checked={keepDiskCopy}
              onChange={(event) => setKeepDiskCopy(event.target.checked)}
            />
            Keep the encrypted copy of the key on this computer
          </label>
          {!keepDiskCopy && (
            <p className="error">
              Without the disk copy the key exists only on the card. If the card is lost, broken or
              reset, mail encrypted to this key can no longer be read. The copy is deleted only
              after a test signature and decryption on the card succeeded.
            </p>
          )}
          <div className="actions">
            <button
              type="button"
              disabled={busy || !chosen}
              onClick={() =>
                void run(async () => {
                  const binding = await client.call('card:move', {
                    address: chosen,
                    keepDiskCopy,
                    adminPin,
                    userPin,
                  });
                  await client.call('card:pin', { userPin });
                  return `The key of ${binding.address} is on card ${binding.serial}.`;
                })
              }
            >
              Move key to card
            </button>
            <button
              type="button"
              disabled={busy || !chosen}
              onClick={() =>
                void run(async () => {
                  const binding = await client.call('card:use', { address: chosen, userPin });
                  await client.call('card:pin', { userPin });
                  return `${binding.address} now uses the key on card ${binding.serial}.`;
                })
              }
            >
              Use key on card
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await client.call('card:pin', { userPin });
                  return 'Sending and reading use this PIN until Sealpost stops.';
                })
              }
            >
              Use this PIN for mail
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function fingerprintOrEmpty(fingerprint: string | null): string {
  return fingerprint === null ? 'empty' : formatFingerprint(fingerprint);
}
