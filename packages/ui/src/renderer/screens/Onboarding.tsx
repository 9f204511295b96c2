// First run: add a mail account (settings prefilled from core's provider table, checked with a
// connection test before they are stored), then create, import or restore the key for that
// address and show its fingerprint. The step comes from core's state, so a reload or restart
// after the account step resumes at the key step. The key step can also remove the account.

import { useEffect, useState } from 'react';
import type { AccountSummary, IdentitySummary, SessionStatus } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { NoticeText } from '../components/NoticeText.tsx';
import { AccountForm } from './AccountForm.tsx';
import { KeySetup } from './KeySetup.tsx';
import { formatFingerprint } from '../fingerprint.ts';

/** Returns the first account without a key of its own, which the key step continues with. */
async function accountWithoutKey(client: MailApiClient): Promise<AccountSummary | null> {
  const [accounts, identities] = await Promise.all([
    client.call('account:list'),
    client.call('key:list'),
  ]);
  const keyed = new Set(identities.map((identity) => identity.address.toLowerCase()));
  return accounts.find((account) => !keyed.has(account.email.toLowerCase())) ?? null;
}

export function Onboarding(props: {
  client: MailApiClient;
  status: SessionStatus;
  onDone: () => void;
}) {
  const { client } = props;
  const [loaded, setLoaded] = useState(false);
  const [account, setAccount] = useState<AccountSummary | null>(null);
  const [identity, setIdentity] = useState<IdentitySummary | null>(null);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    accountWithoutKey(client)
      .then(setAccount)
      .catch((caught: unknown) => setError(messageOf(caught)))
      .finally(() => setLoaded(true));
  }, [client]);

  // A key restored or imported before the account was added already covers its address.
  async function accountAdded(added: AccountSummary) {
    setAccount(added);
    try {
      const keys = await client.call('key:list');
      const own = keys.find((key) => key.address.toLowerCase() === added.email.toLowerCase());
      if (own) setIdentity(own);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  async function removeAccount(email: string) {
    setRemoving(false);
    setError(null);
    try {
      await client.call('account:remove', { email });
      setAccount(null);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  let step;
  if (!loaded) {
    step = (
      <p className="hint" role="status">
        Loading…
      </p>
    );
  } else if (!account) {
    step = <AccountForm client={client} onAdded={(added) => void accountAdded(added)} />;
  } else if (!identity) {
    step = (
      <>
        <KeySetup client={client} address={account.email} onReady={setIdentity} />
        <p className="hint">
          Added the wrong account?{' '}
          <button type="button" className="link-button" onClick={() => setRemoving(true)}>
            Remove {account.email}
          </button>{' '}
          and add another. Mail on the server is not deleted.
        </p>
      </>
    );
  } else {
    step = (
      <section aria-labelledby="ready-title">
        <h2 id="ready-title">Ready</h2>
        <p>
          Your key for <strong>{identity.address}</strong> has the fingerprint
        </p>
        <p className="fingerprint" data-testid="own-fingerprint">
          {formatFingerprint(identity.fingerprint)}
        </p>
        <p className="hint">
          Compare this fingerprint with your contacts over another channel before you trust a key.
        </p>
        <div className="actions">
          <button className="primary" type="button" onClick={props.onDone}>
            Open mailbox
          </button>
        </div>
      </section>
    );
  }

  return (
    <main className="card" aria-labelledby="onboarding-title">
      <h1 id="onboarding-title">Welcome to Sealpost</h1>
      {props.status.notices.map((notice) => (
        <NoticeText key={notice} notice={notice} />
      ))}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {step}
      {removing && account && (
        <ConfirmDialog
          title={`Remove ${account.email}?`}
          confirmLabel="Remove account"
          danger
          onConfirm={() => void removeAccount(account.email)}
          onCancel={() => setRemoving(false)}
        >
          <p>
            Sealpost forgets this account, its stored password and its local copy of the mail. The
            mail on the server stays where it is.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
