// A React hook that loads a list from a MailApi method without a request, once on mount and
// again on each refresh(), and keeps the last load error for display.

import { useCallback, useEffect, useState } from 'react';
import type { MailApiMethod, MailApiRequest, MailApiResponse } from '../api/contract.ts';
import type { MailApiClient } from './api-client.ts';
import { messageOf } from './api-client.ts';

/** MailApi methods that take no request, such as draft:list and outbox:list. */
type RequestlessMethod = {
  [M in MailApiMethod]: MailApiRequest<M> extends undefined ? M : never;
}[MailApiMethod];

export function useApiList<M extends RequestlessMethod>(client: MailApiClient, method: M) {
  const [items, setItems] = useState<MailApiResponse<M> | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    // A generic M hides that the request is empty, so the call is typed for it here.
    const call = client.call.bind(client) as (method: M) => Promise<MailApiResponse<M>>;
    try {
      setItems(await call(method));
    } catch (caught) {
      setError(messageOf(caught));
    }
  }, [client, method]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { items, error, setError, refresh };
}
