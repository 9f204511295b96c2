// The security key part of the unlock screen. It has a button that starts one FIDO2 unlock,
// the "Touch your security key" prompt while the key waits, and a PIN field when the key was
// enrolled with its PIN. It shows core's error text, such as a timeout, a wrong PIN with the
// tries left, or a key that is not enrolled.

import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { MailApiError } from '../../api/result.ts';
import type { SecurityKeyView } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { messageOf } from '../api-client.ts';
import { NoticeText } from '../components/NoticeText.tsx';

export function SecurityKeyUnlock(props: {
  client: MailApiClient;
  securityKey: SecurityKeyView;
  onUnlocked: () => void;
}) {
  const [pinNeeded, setPinNeeded] = useState(props.securityKey.pinRequired);
  const [pin, setPin] = useState('');
  const [waiting, setWaiting] = useState(false);
  const [touchNeeded, setTouchNeeded] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(
    () =>
      props.client.subscribe('securitykey:prompt', (event) => {
        if (event.prompt === 'touch') setTouchNeeded(true);
        else setPinNeeded(true);
      }),
    [props.client],
  );

  async function unlock(event: FormEvent) {
    event.preventDefault();
    setWaiting(true);
    setTouchNeeded(false);
    setError(null);
    try {
      await props.client.call('securitykey:unlock', { pin: pinNeeded ? pin : null });
      props.onUnlocked();
    } catch (caught) {
      setError(messageOf(caught));
      if (caught instanceof MailApiError && caught.code.startsWith('FIDO_PIN')) setPin('');
      if (caught instanceof MailApiError && caught.code === 'FIDO_PIN_REQUIRED') {
        setPinNeeded(true);
      }
    } finally {
      setWaiting(false);
      setTouchNeeded(false);
    }
  }

  return (
    <form onSubmit={unlock} aria-label="Security key">
      {pinNeeded && (
        <>
          <label htmlFor="security-key-pin">Security key PIN</label>
          <input
            id="security-key-pin"
            type="password"
            autoComplete="off"
            value={pin}
            disabled={waiting}
            onChange={(event) => setPin(event.target.value)}
          />
        </>
      )}
      {waiting && (
        <p className="notice" role="status">
          {touchNeeded ? 'Touch your security key' : 'Waiting for the security key…'}
        </p>
      )}
      {error && <NoticeText notice={error} tone="error" />}
      <div className="actions">
        <button
          className="primary"
          type="submit"
          disabled={waiting || (pinNeeded && pin.length < 4)}
        >
          Unlock with security key
        </button>
      </div>
    </form>
  );
}
