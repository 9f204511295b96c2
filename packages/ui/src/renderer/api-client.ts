// The renderer's typed MailApi client: unwraps each ApiResult into a value or a thrown
// MailApiError, so components use plain async calls and show `error.message` on failure.

import type { MailApiBridge } from '../api/bridge.ts';
import type { MailApiMethod, MailApiRequest, MailApiResponse } from '../api/contract.ts';
import { MailApiError } from '../api/result.ts';
import type { ApiResult } from '../api/result.ts';
import type { MailApiEventName, MailApiEvents } from '../api/types.ts';

export class MailApiClient {
  constructor(private readonly bridge: MailApiBridge) {}

  async call<M extends MailApiMethod>(
    method: M,
    ...request: MailApiRequest<M> extends undefined ? [] : [MailApiRequest<M>]
  ): Promise<MailApiResponse<M>> {
    const invoke = this.bridge[method] as (
      request: unknown,
    ) => Promise<ApiResult<MailApiResponse<M>>>;
    const result = await invoke(request[0]);
    if (!result.ok) {
      const { code, message, outboxId } = result.error;
      throw new MailApiError(code, message, outboxId === undefined ? {} : { outboxId });
    }
    return result.value;
  }

  subscribe<E extends MailApiEventName>(
    event: E,
    listener: (payload: MailApiEvents[E]) => void,
  ): () => void {
    return this.bridge.subscribe(event, listener);
  }
}

/** Returns the message of any error, for display. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
