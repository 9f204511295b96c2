// The account form: e-mail and password, IMAP and SMTP settings prefilled from the provider
// table when the domain is known (every field stays editable), an optional pinned server
// certificate, and a "Test connection" step whose per-server errors name what failed. Editing
// a field after a test hides that test's result, so Add account waits for a new test.

import { useState } from 'react';
import type { FormEvent } from 'react';
import type {
  AccountSummary,
  ConnectionTestResult,
  ServerSecurity,
  ServerSettings,
} from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { appWording, PINNED_CERTIFICATE_FIELD } from '../app-wording.ts';

const EMPTY_SERVER: ServerSettings = { host: '', port: 993, security: 'tls', user: '' };

export function AccountForm(props: {
  client: MailApiClient;
  onAdded: (account: AccountSummary) => void;
}) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [imap, setImap] = useState<ServerSettings>(EMPTY_SERVER);
  const [smtp, setSmtp] = useState<ServerSettings>({ ...EMPTY_SERVER, port: 465 });
  const [pinnedCertificate, setPinnedCertificate] = useState('');
  const [provider, setProvider] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The settings that the last test or add request used; the shown result belongs to them.
  const [checkedFor, setCheckedFor] = useState<string | null>(null);

  async function prefill() {
    if (!email.includes('@')) return;
    try {
      const found = await props.client.call('account:providers', { email });
      setProvider(found?.name ?? null);
      setNote(found?.note ?? null);
      if (found) {
        setImap({ ...found.imap, user: email });
        setSmtp({ ...found.smtp, user: email });
      } else {
        setImap((current) => ({ ...current, user: current.user || email }));
        setSmtp((current) => ({ ...current, user: current.user || email }));
      }
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  function settings() {
    return {
      email,
      displayName: displayName.trim() || null,
      imap,
      smtp,
      password,
      pinnedCertificate: pinnedCertificate.trim() || null,
    };
  }

  async function runTest() {
    setBusy(true);
    setError(null);
    setTest(null);
    setCheckedFor(JSON.stringify(settings()));
    try {
      setTest(await props.client.call('account:test', settings()));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCheckedFor(JSON.stringify(settings()));
    try {
      props.onAdded(await props.client.call('account:add', settings()));
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const edited = checkedFor !== null && checkedFor !== JSON.stringify(settings());
  const tested = !edited && test?.imap.ok === true && test.smtp.ok === true;
  const addHint = edited
    ? 'You changed the settings: test the connection again.'
    : test === null
      ? 'Test the connection first; Add account turns on when both servers accept the login.'
      : 'Fix what failed above, then test the connection again.';
  return (
    <form onSubmit={add} aria-labelledby="account-title">
      <h2 id="account-title">1. Add your mail account</h2>
      <label htmlFor="account-email">E-mail address</label>
      <input
        id="account-email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        onBlur={() => void prefill()}
      />
      <label htmlFor="account-name">Your name (optional)</label>
      <input
        id="account-name"
        value={displayName}
        onChange={(event) => setDisplayName(event.target.value)}
      />
      <label htmlFor="account-password">Password</label>
      <input
        id="account-password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      {provider && (
        <p className="hint" data-testid="provider">
          Settings for {provider} were filled in; change them if your provider differs.
        </p>
      )}
      {note && <p className="notice">{appWording(note)}</p>}
      <ServerFields legend="Incoming mail (IMAP)" prefix="imap" value={imap} onChange={setImap} />
      <ServerFields legend="Outgoing mail (SMTP)" prefix="smtp" value={smtp} onChange={setSmtp} />
      <label htmlFor="account-certificate">{PINNED_CERTIFICATE_FIELD} (PEM, optional)</label>
      <textarea
        id="account-certificate"
        rows={3}
        placeholder="-----BEGIN CERTIFICATE-----"
        value={pinnedCertificate}
        onChange={(event) => setPinnedCertificate(event.target.value)}
      />
      <p className="hint">
        Only for a server with a self-signed certificate, which no certificate authority vouches
        for: paste the certificate its administrator gives you, and Sealpost trusts it in place of
        the certificate authorities for this account.
      </p>

      {test && !edited && <TestReport result={test} />}
      {error && !edited && (
        <p className="error" role="alert">
          {appWording(error)}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => void runTest()} disabled={busy || !email || !password}>
          Test connection
        </button>
        <button className="primary" type="submit" disabled={busy || !tested}>
          Add account
        </button>
      </div>
      {!tested && !busy && (
        <p className="hint" data-testid="add-account-hint">
          {addHint}
        </p>
      )}
    </form>
  );
}

function ServerFields(props: {
  legend: string;
  prefix: string;
  value: ServerSettings;
  onChange: (value: ServerSettings) => void;
}) {
  const { value, onChange, prefix } = props;
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <div className="row">
        <div>
          <label htmlFor={`${prefix}-host`}>Server</label>
          <input
            id={`${prefix}-host`}
            value={value.host}
            onChange={(event) => onChange({ ...value, host: event.target.value.trim() })}
          />
        </div>
        <div className="narrow">
          <label htmlFor={`${prefix}-port`}>Port</label>
          <input
            id={`${prefix}-port`}
            type="number"
            min={1}
            max={65535}
            value={value.port}
            onChange={(event) => onChange({ ...value, port: Number(event.target.value) })}
          />
        </div>
        <div className="narrow">
          <label htmlFor={`${prefix}-security`}>Security</label>
          <select
            id={`${prefix}-security`}
            value={value.security}
            onChange={(event) =>
              onChange({ ...value, security: event.target.value as ServerSecurity })
            }
          >
            <option value="tls">TLS</option>
            <option value="starttls">STARTTLS</option>
          </select>
        </div>
      </div>
      <label htmlFor={`${prefix}-user`}>User name</label>
      <input
        id={`${prefix}-user`}
        value={value.user}
        onChange={(event) => onChange({ ...value, user: event.target.value })}
      />
    </fieldset>
  );
}

function TestReport({ result }: { result: ConnectionTestResult }) {
  const lines = [
    ['IMAP', result.imap],
    ['SMTP', result.smtp],
  ] as const;
  return (
    <div role="status" data-testid="connection-test">
      {lines.map(([name, check]) =>
        check.ok ? (
          <p className="success" key={name}>
            {name}: login succeeded.
          </p>
        ) : (
          <p className="error" key={name}>
            {name} failed ({check.error?.code}): {appWording(check.error?.message ?? '')}
          </p>
        ),
      )}
    </div>
  );
}
