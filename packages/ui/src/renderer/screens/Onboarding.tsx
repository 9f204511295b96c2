// First run: add a mail account (settings prefilled from core's provider table, checked with a
// connection test before they are stored), then create or import the key for that address
// and show its fingerprint.

import { useState } from 'react';
import type { AccountSummary, IdentitySummary, SessionStatus } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { AccountForm } from './AccountForm.tsx';
import { KeySetup } from './KeySetup.tsx';

export function Onboarding(props: {
  client: MailApiClient;
  status: SessionStatus;
  onDone: () => void;
}) {
  const [account, setAccount] = useState<AccountSummary | null>(null);
  const [identity, setIdentity] = useState<IdentitySummary | null>(null);

  return (
    <main className="card" aria-labelledby="onboarding-title">
      <h1 id="onboarding-title">Welcome to Sealpost</h1>
      {props.status.notices.map((notice) => (
        <p className="notice" key={notice}>
          {notice}
        </p>
      ))}
      {!account ? (
        <AccountForm client={props.client} onAdded={setAccount} />
      ) : !identity ? (
        <KeySetup client={props.client} address={account.email} onReady={setIdentity} />
      ) : (
        <section aria-labelledby="ready-title">
          <h2 id="ready-title">Ready</h2>
          <p>
            Your key for <strong>{identity.address}</strong> has the fingerprint
          </p>
          <p className="fingerprint" data-testid="own-fingerprint">
            {identity.fingerprint}
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
      )}
    </main>
  );
}
