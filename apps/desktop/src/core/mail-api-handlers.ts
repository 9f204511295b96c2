// The MailApi handler table over the core facade: one handler per MailApi method, each taking
// an already validated request. Electron's main process and the browser shell both serve this
// table, so the UI behaves the same behind either. Pushed events go to `emit`.

import type {
  MailApi,
  MailApiEventName,
  MailApiEvents,
  MessageView,
  SessionStatus,
  SyncSummary,
} from '@sealpost/ui';
import { PinError } from '@sealpost/hardware-token';
import { testConnection } from './connection-test.ts';
import { createCardApiHandlers } from './hardware/card-api-handlers.ts';
import { createFido2ApiHandlers } from './hardware/fido2-api-handlers.ts';
import { createMailboxApiHandlers } from './mailbox-api-handlers.ts';
import { CoreError } from './errors.ts';
import { findProvider } from './providers.ts';
import type { ReadResult } from './read.ts';
import { attachmentBytes, releaseAttachments } from './read-attachments.ts';
import type { AppSession } from './app-session.ts';
import type { Sealpost } from './sealpost.ts';
import { describeEncryption, describeSignature } from './status-words.ts';

/**
 * Largest attachment of a message read through the spool that mail:attachment returns. Above
 * it the handler raises MESSAGE_TOO_LARGE and names the CLI command that saves it as a stream,
 * because the IPC reply carries the whole attachment in base64.
 */
const MAX_IPC_ATTACHMENT_BYTES = 32 * 1024 * 1024;

export type EventSink = <E extends MailApiEventName>(event: E, payload: MailApiEvents[E]) => void;

export function createMailApiHandlers(session: AppSession, emit: EventSink): MailApi {
  const status = async (): Promise<SessionStatus> => {
    const current = await session.status();
    const sealpost = current.unlocked ? session.require() : null;
    return {
      ...current,
      accounts: sealpost?.accounts.list().length ?? 0,
      identities: sealpost?.keys.list().length ?? 0,
    };
  };
  // Every other handler goes through this, so a locked session fails with PASSPHRASE_REQUIRED.
  const core = (): Sealpost => session.require();

  return {
    ...createCardApiHandlers(core),
    ...createMailboxApiHandlers(core),
    ...createFido2ApiHandlers(session, emit),
    'session:status': async () => status(),
    'session:unlock': async ({ passphrase }) => {
      await session.unlock(passphrase);
      return status();
    },
    'session:lock': async () => {
      session.lock();
      return status();
    },
    'securitykey:unlock': async ({ pin }) => {
      try {
        await session.unlockWithSecurityKey({
          requestPin: async () => {
            if (pin === null) emit('securitykey:prompt', { prompt: 'pin', retriesLeft: null });
            return pin;
          },
          onTouchNeeded: () => emit('securitykey:prompt', { prompt: 'touch', retriesLeft: null }),
        });
      } catch (error) {
        if (error instanceof PinError && error.code === 'FIDO_PIN_INVALID') {
          emit('securitykey:prompt', { prompt: 'pin', retriesLeft: error.retriesLeft });
        }
        throw error;
      }
      return status();
    },

    'account:providers': async ({ email }) => findProvider(email),
    'account:test': async (input) => testConnection(input),
    'account:add': async (input) => core().accounts.add(input),
    'account:list': async () => core().accounts.list(),

    'key:list': async () => core().keys.list(),
    'key:generate': async (input) => core().keys.generate(input),
    'key:import': async ({ armored, keyPassphrase, replacePinned }) =>
      core().keys.import(new TextEncoder().encode(armored), { keyPassphrase, replacePinned }),
    'key:export': async ({ address }) => ({ armored: core().keys.exportCertificate(address) }),

    'contact:list': async () => {
      const revoked = await core().revokedContacts();
      return core()
        .contacts.list()
        .map((contact) => ({
          ...contact,
          revoked: revoked.has(contact.address),
          certificates: core()
            .contactCertificates(contact.address)
            .map((certificate) => ({
              fingerprint: certificate.fingerprint,
              status: certificate.status,
              source: certificate.source,
              firstSeen: certificate.firstSeen.toISOString(),
              lastSeen: certificate.lastSeen.toISOString(),
            })),
        }));
    },
    'contact:export': async ({ address }) => ({
      armored: core().exportContactCertificate(address),
    }),

    'contact:accept': async ({ address, fingerprint, verified }) =>
      core().trust.acceptKey(address, fingerprint, { verified }),

    'mail:folders': async () => core().pages.folders(),
    'mail:list': async (request) => core().pages.page(request),
    'mail:read': async ({ id }) => {
      const message = await core().mail.read(id);
      // The view shows attachment sizes only, so large attachments' files go at once.
      releaseAttachments(message.attachments);
      // Marked \Seen only after a successful read; the flag reaches the server on the next sync.
      core().mail.setFlags(id, { add: ['\\Seen'] });
      return toMessageView(message);
    },
    'mail:attachment': async ({ id, index }) => {
      const message = await core().mail.read(id);
      try {
        const attachment = message.attachments[index];
        if (!attachment) {
          throw new CoreError(
            'INVALID_ARGUMENT',
            `Message ${id} has no attachment ${index}; it has ${message.attachments.length}.`,
          );
        }
        const content = await attachmentBytes(attachment, MAX_IPC_ATTACHMENT_BYTES);
        return {
          filename: attachment.filename,
          contentType: attachment.contentType,
          contentBase64: Buffer.from(content).toString('base64'),
        };
      } finally {
        releaseAttachments(message.attachments);
      }
    },
    'mail:archive': async ({ id }) => {
      const folder = await core().pages.archiveFolderFor(id);
      core().mail.move(id, folder);
      return { folder };
    },
    'mail:sync': async () => syncWithProgress(core(), emit),
    'mail:plan': async (request) => core().planSend(request),
    'mail:send': async ({ attachments, ...input }) =>
      core().mail.send({
        ...input,
        attachments: attachments.map((attachment) => ({
          filename: attachment.filename,
          contentType: attachment.contentType,
          content: Buffer.from(attachment.contentBase64, 'base64'),
        })),
      }),

    'draft:save': async ({ id, draft }) => core().drafts.save(id, draft),
    'draft:list': async () => core().drafts.list(),
    'draft:load': async ({ id }) => core().drafts.load(id),
    'draft:delete': async ({ id }) => ({ deleted: core().drafts.delete(id) }),

    'outbox:list': async () => core().mail.listOutbox(),
    'outbox:retry': async ({ id }) => core().mail.retryOutbox(id),
    'outbox:discard': async ({ id }) => {
      core().mail.discardOutbox(id);
      return { discarded: true };
    },
  };
}

/** Syncs each account in turn, reporting progress after each and new mail where it arrived. */
async function syncWithProgress(sealpost: Sealpost, emit: EventSink): Promise<SyncSummary> {
  const accounts = sealpost.accounts.list();
  const summary: SyncSummary = { accounts: [] };
  emit('sync:progress', { account: '', done: 0, total: accounts.length });

  for (const [index, account] of accounts.entries()) {
    const report = await sealpost.mail.sync({ account: account.email });
    for (const synced of report.accounts) {
      const newMessages = synced.folders.reduce((sum, folder) => sum + folder.newMessages, 0);
      summary.accounts.push({
        email: synced.email,
        newMessages,
        sentFromOutbox: synced.sentFromOutbox,
      });
      // Archive, Trash and the other folders gain new UIDs when the user moves mail there, so
      // only INBOX (case-insensitive, RFC 9051 section 5.1) counts as mail that arrived.
      const arrived = synced.folders
        .filter((folder) => folder.path.toUpperCase() === 'INBOX')
        .reduce((sum, folder) => sum + folder.newMessages, 0);
      if (arrived > 0) emit('mail:new', { account: synced.email, count: arrived });
    }
    emit('sync:progress', { account: account.email, done: index + 1, total: accounts.length });
  }
  return summary;
}

/** Returns the mode a read message was encrypted in, or null for unencrypted mail. */
function encryptionMode(message: ReadResult): MessageView['encryption']['mode'] {
  if (message.encryption.status !== 'encrypted') return null;
  return message.kind === 'ratchet-encrypted' ? 'ratchet' : 'openpgp';
}

function toMessageView(message: ReadResult): MessageView {
  return {
    id: message.id,
    from: message.from,
    to: message.to,
    cc: message.cc,
    date: message.date,
    subject: message.subject,
    headersProtected: message.headersProtected,
    encryption: {
      status: message.encryption.status,
      mode: encryptionMode(message),
      decryptedWith: message.encryption.decryptedWith,
      words: describeEncryption(message),
    },
    signatures: message.signatures.map((signature) => ({
      status: signature.status,
      signerFingerprint: signature.signerFingerprint,
      signerMatchesFrom: signature.signerMatchesFrom,
      words: describeSignature(signature, message.from),
    })),
    text: message.text,
    html: message.html,
    attachments: message.attachments.map((attachment, index) => ({
      index,
      filename: attachment.filename,
      contentType: attachment.contentType,
      size: attachment.size,
    })),
  };
}
