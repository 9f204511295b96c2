// One IPC route per MailApi method, derived from MAIL_API_METHODS: each checks the sender frame
// and then runs the shared validation and dispatch, resolving to an ApiResult. The Electron
// glue registers exactly these routes with ipcMain.handle.

import { dispatchMailApi, MAIL_API_METHODS } from '@sealpost/ui';
import type { ApiResult, MailApi, MailApiMethod } from '@sealpost/ui';
import { isTrustedSenderUrl } from './window-options.ts';

export interface IpcRoute {
  channel: MailApiMethod;
  handle(senderUrl: string | undefined, argument: unknown): Promise<ApiResult<unknown>>;
}

export function mailApiRoutes(handlers: MailApi): IpcRoute[] {
  return MAIL_API_METHODS.map((channel) => ({
    channel,
    async handle(senderUrl, argument) {
      if (!isTrustedSenderUrl(senderUrl)) {
        return {
          ok: false,
          error: {
            code: 'SENDER_REJECTED',
            message: `${channel} was called from ${senderUrl ?? 'an unknown frame'}, which is not the Sealpost app.`,
          },
        };
      }
      return dispatchMailApi(handlers, channel, argument);
    },
  }));
}
