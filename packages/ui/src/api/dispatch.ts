// Dispatches one MailApi call to a handler table: validates the method name and the argument,
// runs the handler and wraps the outcome in an ApiResult. Main and the browser shell both
// call this, so the two transports accept and reject exactly the same requests.

import type { MailApi } from './contract.ts';
import { toApiError } from './result.ts';
import type { ApiResult } from './result.ts';
import { requireMailApiMethod, validateRequest } from './validate.ts';

export async function dispatchMailApi(
  handlers: MailApi,
  channel: unknown,
  argument: unknown,
): Promise<ApiResult<unknown>> {
  try {
    const method = requireMailApiMethod(channel);
    const request = validateRequest(method, argument);
    const handler = handlers[method] as (request: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(request) };
  } catch (error) {
    return { ok: false, error: toApiError(error) };
  }
}
