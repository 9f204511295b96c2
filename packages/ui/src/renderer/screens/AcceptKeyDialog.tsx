// The confirmation before pinning a contact's changed key: it shows the pinned and the new
// fingerprint and warns that a changed key is also what an attacker who intercepts mail would
// present. Accepting calls core's TrustService.acceptKey, which pins the new key and retires the old one.

import { useState } from 'react';
import type { AcceptedKey } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { formatFingerprint } from '../fingerprint.ts';

export interface KeyChange {
  address: string;
  /** The fingerprint pinned now, or null when none is pinned. */
  pinned: string | null;
  changed: string;
}

export function AcceptKeyDialog(props: {
  client: MailApiClient;
  change: KeyChange;
  onAccepted: (accepted: AcceptedKey) => void;
  onCancel: () => void;
}) {
  const { client, change } = props;
  const [verified, setVerified] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function accept() {
    setError(null);
    try {
      props.onAccepted(
        await client.call('contact:accept', {
          address: change.address,
          fingerprint: change.changed,
          verified,
        }),
      );
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <ConfirmDialog
      title={`Accept the new key of ${change.address}?`}
      confirmLabel="Accept new key"
      danger
      onConfirm={() => void accept()}
      onCancel={props.onCancel}
    >
      <p className="error">
        Accept it only after {change.address} confirmed this fingerprint to you over another
        channel, such as in person or by phone. Someone who intercepts your mail would also present
        a new key.
      </p>
      <dl>
        <dt>Pinned key (used until now)</dt>
        <dd className="fingerprint" data-testid="accept-old-fingerprint">
          {change.pinned === null ? 'none' : formatFingerprint(change.pinned)}
        </dd>
        <dt>New key</dt>
        <dd className="fingerprint" data-testid="accept-new-fingerprint">
          {formatFingerprint(change.changed)}
        </dd>
      </dl>
      <label>
        <input
          type="checkbox"
          style={{ width: 'auto', marginRight: 6 }}
          checked={verified}
          onChange={(event) => setVerified(event.target.checked)}
        />
        I compared the full fingerprint with {change.address}; mark the new key as verified
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </ConfirmDialog>
  );
}
