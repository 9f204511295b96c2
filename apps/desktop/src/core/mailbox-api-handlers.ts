// The MailApi handlers for mailbox actions and first-run repairs: search, flag, move and
// delete a message, remove an account, and restore keys from a recovery-code backup. Message
// actions change the local store at once and reach the server on the next sync
// (sync/pending-replay.ts). Removing an account never deletes mail on the server.

import type { MailApi, SearchHit } from '@sealpost/ui';
import type { SearchRequest } from './search.ts';
import type { Sealpost } from './sealpost.ts';

type MailboxMethods = Pick<
  MailApi,
  'account:remove' | 'key:restore' | 'mail:search' | 'mail:flag' | 'mail:move' | 'mail:delete'
>;

export function createMailboxApiHandlers(core: () => Sealpost): MailboxMethods {
  return {
    'account:remove': async ({ email }) => ({ removed: core().accounts.remove(email) }),
    'key:restore': async ({ armored, recoveryCode, address }) =>
      core().keys.importBackup(
        new TextEncoder().encode(armored),
        recoveryCode,
        address === undefined ? {} : { expectedAddress: address },
      ),

    'mail:search': async (request) => {
      const query: SearchRequest = { account: request.account, limit: request.limit };
      if (request.text) query.text = request.text;
      if (request.folder !== null) query.folder = request.folder;
      if (request.from) query.from = request.from;
      if (request.hasAttachment !== null) query.hasAttachment = request.hasAttachment;
      if (request.encrypted !== null) query.encrypted = request.encrypted;
      if (request.signed !== null) query.signed = request.signed;
      return core().mail.search(query) satisfies SearchHit[];
    },
    'mail:flag': async ({ id, add, remove }) => core().mail.setFlags(id, { add, remove }),
    'mail:move': async ({ id, folder }) => core().mail.move(id, folder),
    'mail:delete': async ({ id }) => core().mail.delete(id, { permanent: false }),
  };
}
