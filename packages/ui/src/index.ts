// Public API of @sealpost/ui for the back end: the MailApi contract (methods, request schemas,
// response and event types), the shared validation and dispatch layer, and the result envelope.
// The React renderer itself is bundled by Vite from src/renderer and is not exported here,
// except its byte size format, which the CLI shares so both show sizes alike.

export {
  MAIL_API_EVENTS,
  MAIL_API_METHODS,
  MAIL_API_REQUESTS,
  type MailApi,
  type MailApiMethod,
  type MailApiRequest,
  type MailApiResponse,
  type MailApiResponses,
} from './api/contract.ts';
export type * from './api/types.ts';
export type { MailApiBridge } from './api/bridge.ts';
export { MailApiError, toApiError, type ApiError, type ApiResult } from './api/result.ts';
export { isMailApiMethod, requireMailApiMethod, validateRequest } from './api/validate.ts';
export { dispatchMailApi } from './api/dispatch.ts';
export { formatByteSize } from './renderer/byte-size.ts';
