// The app's top level: asks core for the session status and shows the unlock screen (only
// when core needs a passphrase), the first-run onboarding, or the mail client.

import { useCallback, useEffect, useState } from 'react';
import type { SessionStatus } from '../api/types.ts';
import type { MailApiClient } from './api-client.ts';
import { messageOf } from './api-client.ts';
import { MailClient } from './screens/MailClient.tsx';
import { Onboarding } from './screens/Onboarding.tsx';
import { UnlockScreen } from './screens/UnlockScreen.tsx';

export function App({ client }: { client: MailApiClient }) {
  const [status, setStatus] = useState<SessionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onboarding, setOnboarding] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const next = await client.call('session:status');
      setStatus(next);
      if (next.unlocked && (next.accounts === 0 || next.identities === 0)) setOnboarding(true);
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!status)
    return (
      <p className="hint" role="status">
        Opening Sealpost…
      </p>
    );
  if (!status.unlocked) {
    return <UnlockScreen client={client} status={status} onUnlocked={refresh} />;
  }
  if (onboarding) {
    return (
      <Onboarding
        client={client}
        status={status}
        onDone={() => {
          setOnboarding(false);
          void refresh();
        }}
      />
    );
  }
  return <MailClient client={client} onLocked={refresh} />;
}
