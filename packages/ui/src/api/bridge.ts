// The renderer's view of MailApi: one function per method that resolves to an ApiResult, plus
// a subscription to pushed events. The Electron preload exposes exactly this object through
// contextBridge, and the browser shell's WebSocket client implements the same shape.

import type { MailApiMethod, MailApiRequest, MailApiResponse } from './contract.ts';
import type { ApiResult } from './result.ts';
import type { MailApiEventName, MailApiEvents } from './types.ts';

export type MailApiBridge = {
  [M in MailApiMethod]: (request: MailApiRequest<M>) => Promise<ApiResult<MailApiResponse<M>>>;
} & {
  /** Calls `listener` for each `event`; returns the function that ends the subscription. */
  subscribe<E extends MailApiEventName>(
    event: E,
    listener: (payload: MailApiEvents[E]) => void,
  ): () => void;
};
