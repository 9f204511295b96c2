// The MailApi contract: one request schema (zod) and one response type per method, declared
// once here. The Electron preload, the main-process handler table and the browser shell all
// derive their channel lists from MAIL_API_METHODS, and main and the shell validate every
// request against MAIL_API_REQUESTS before it reaches core. Channels are named `domain:verb`.

import { z } from 'zod';
import type {
  AcceptedKey,
  AccountSummary,
  ActionOutcome,
  AttachmentContent,
  CardBindingView,
  CardStatusView,
  ConnectionTestResult,
  ContactView,
  DraftContent,
  DraftSummary,
  FolderView,
  IdentitySummary,
  MailApiEventName,
  ImportResult,
  MessagePage,
  MessageView,
  OutboxEntryView,
  OutboxRetryOutcome,
  ProviderSettings,
  RestoredKey,
  SearchHit,
  SecurityKeyEnrolment,
  SecurityKeyList,
  SendOutcome,
  SendPlan,
  SessionStatus,
  SyncSummary,
} from './types.ts';

const address = z.string().trim().min(3).max(320);
const addressList = z.array(address).max(500);
const messageId = z.number().int().positive();
const noArguments = z.undefined();

const serverSettings = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['starttls', 'tls']),
  user: z.string().min(1).max(320),
});

const accountInput = z.strictObject({
  email: address,
  displayName: z.string().max(200).nullable(),
  imap: serverSettings,
  smtp: serverSettings,
  password: z.string().min(1).max(1024),
  pinnedCertificate: z.string().max(65536).nullable(),
});

const recipients = z.strictObject({
  from: address.nullable(),
  to: addressList,
  cc: addressList,
  bcc: addressList,
});

const draftContent = recipients.extend({
  subject: z.string().max(998),
  text: z.string().max(10_000_000),
});

const attachmentInput = z.strictObject({
  filename: z.string().min(1).max(255),
  contentType: z.string().min(3).max(255),
  contentBase64: z.string().max(50_000_000),
});

/** OpenPGP card PINs: PW1 has at least 6 characters, PW3 at least 8 (OpenPGP card 3.4). */
const cardPin = z.string().min(6).max(127);

/** A FIDO2 PIN; core also checks its UTF-8 length of 4 to 63 bytes. Null sends no PIN. */
const securityKeyPin = z.string().min(4).max(63).nullable();

/** The IMAP flags the UI sets and clears (RFC 9051 section 2.3.2). */
const messageFlag = z.enum(['\\Seen', '\\Flagged']);

/** Request schema of every MailApi method; `z.undefined()` marks a method without arguments. */
export const MAIL_API_REQUESTS = {
  'session:status': noArguments,
  'session:unlock': z.strictObject({ passphrase: z.string().min(1).max(1024) }),
  'session:lock': noArguments,
  'securitykey:unlock': z.strictObject({ pin: securityKeyPin }),
  'securitykey:list': noArguments,
  'securitykey:enroll': z.strictObject({
    name: z.string().trim().min(1).max(64).nullable(),
    require: z.boolean(),
    pin: securityKeyPin,
  }),
  'securitykey:remove': z.strictObject({ name: z.string().trim().min(1).max(64) }),
  'account:providers': z.strictObject({ email: address }),
  'account:test': accountInput,
  'account:add': accountInput,
  'account:list': noArguments,
  'account:remove': z.strictObject({ email: address }),
  'key:list': noArguments,
  'key:generate': z.strictObject({ address, name: z.string().max(200).nullable() }),
  'key:import': z.strictObject({
    armored: z.string().min(1).max(1_000_000),
    keyPassphrase: z.string().max(1024).nullable(),
    replacePinned: z.boolean(),
  }),
  'key:export': z.strictObject({ address }),
  'key:restore': z.strictObject({
    armored: z.string().min(1).max(10_000_000),
    recoveryCode: z.string().min(1).max(200),
    // When set, the backup must contain a key for this address, or nothing is restored.
    address: address.optional(),
  }),
  'contact:list': noArguments,
  'contact:export': z.strictObject({ address }),
  // Pins a changed key after the user checked it; `verified` records a full fingerprint check.
  'contact:accept': z.strictObject({
    address,
    fingerprint: z.string().regex(/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/),
    verified: z.boolean(),
  }),
  'mail:folders': noArguments,
  'mail:list': z.strictObject({
    account: address.nullable(),
    folder: z.string().min(1).max(1000),
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(1000),
  }),
  'mail:read': z.strictObject({ id: messageId }),
  'mail:attachment': z.strictObject({ id: messageId, index: z.number().int().min(0) }),
  'mail:archive': z.strictObject({ id: messageId }),
  'mail:search': z.strictObject({
    text: z.string().trim().max(1000),
    account: address.nullable(),
    folder: z.string().min(1).max(1000).nullable(),
    from: z.string().trim().max(320).nullable(),
    hasAttachment: z.boolean().nullable(),
    encrypted: z.boolean().nullable(),
    signed: z.boolean().nullable(),
    limit: z.number().int().min(1).max(1000),
  }),
  'mail:flag': z.strictObject({
    id: messageId,
    add: z.array(messageFlag).max(2),
    remove: z.array(messageFlag).max(2),
  }),
  'mail:move': z.strictObject({ id: messageId, folder: z.string().min(1).max(1000) }),
  'mail:delete': z.strictObject({ id: messageId }),
  'mail:sync': noArguments,
  'mail:plan': recipients,
  'mail:send': draftContent.extend({
    attachments: z.array(attachmentInput).max(100),
    allowPlaintext: z.boolean(),
    /** Send in OpenPGP mode even where ratchet mode is ready; absent means false. */
    openpgp: z.boolean().optional(),
  }),
  'draft:save': z.strictObject({
    id: z.uuid().nullable(),
    draft: draftContent.extend({ attachments: z.array(attachmentInput).max(100) }),
  }),
  'draft:list': noArguments,
  'draft:load': z.strictObject({ id: z.uuid() }),
  'draft:delete': z.strictObject({ id: z.uuid() }),
  'card:status': noArguments,
  'card:move': z.strictObject({
    address,
    keepDiskCopy: z.boolean(),
    adminPin: cardPin,
    userPin: cardPin,
  }),
  'card:use': z.strictObject({ address, userPin: cardPin }),
  'card:pin': z.strictObject({ userPin: cardPin.nullable() }),
  'outbox:list': noArguments,
  'outbox:retry': z.strictObject({ id: messageId }),
  // The renderer shows a confirmation first, and `confirm: true` records that the user agreed.
  'outbox:discard': z.strictObject({ id: messageId, confirm: z.literal(true) }),
} as const;

type Requests = typeof MAIL_API_REQUESTS;

/** The response type of every MailApi method. */
export interface MailApiResponses {
  'session:status': SessionStatus;
  'session:unlock': SessionStatus;
  'session:lock': SessionStatus;
  'securitykey:unlock': SessionStatus;
  'securitykey:list': SecurityKeyList;
  'securitykey:enroll': SecurityKeyEnrolment;
  'securitykey:remove': SecurityKeyList;
  'account:providers': ProviderSettings | null;
  'account:test': ConnectionTestResult;
  'account:add': AccountSummary;
  'account:list': AccountSummary[];
  'account:remove': { removed: boolean };
  'key:list': IdentitySummary[];
  'key:generate': IdentitySummary;
  'key:import': ImportResult[];
  'key:export': { armored: string };
  'key:restore': RestoredKey[];
  'contact:list': ContactView[];
  'contact:export': { armored: string };
  'contact:accept': AcceptedKey;
  'mail:folders': FolderView[];
  'mail:list': MessagePage;
  'mail:read': MessageView;
  'mail:attachment': AttachmentContent;
  'mail:archive': { folder: string };
  'mail:search': SearchHit[];
  'mail:flag': ActionOutcome;
  'mail:move': ActionOutcome;
  'mail:delete': ActionOutcome;
  'mail:sync': SyncSummary;
  'mail:plan': SendPlan;
  'mail:send': SendOutcome;
  'draft:save': DraftSummary;
  'draft:list': DraftSummary[];
  'draft:load': DraftContent;
  'draft:delete': { deleted: boolean };
  'card:status': CardStatusView;
  'card:move': CardBindingView;
  'card:use': CardBindingView;
  'card:pin': { pinSet: boolean };
  'outbox:list': OutboxEntryView[];
  'outbox:retry': OutboxRetryOutcome;
  'outbox:discard': { discarded: boolean };
}

export type MailApiMethod = keyof Requests & keyof MailApiResponses;
export type MailApiRequest<M extends MailApiMethod> = z.infer<Requests[M]>;
export type MailApiResponse<M extends MailApiMethod> = MailApiResponses[M];

/**
 * The port the renderer consumes and the back end implements: one method per channel, each
 * taking its validated request and resolving to its response (or rejecting with a coded error).
 */
export type MailApi = {
  [M in MailApiMethod]: (request: MailApiRequest<M>) => Promise<MailApiResponse<M>>;
};

/** Every method name, in one runtime list; the type checks below keep it equal to MailApi's keys. */
export const MAIL_API_METHODS = Object.keys(MAIL_API_REQUESTS) as MailApiMethod[];

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const responsesCoverRequests: Equal<keyof Requests, keyof MailApiResponses> = true;
const methodsCoverApi: Equal<(typeof MAIL_API_METHODS)[number], keyof MailApi> = true;
void responsesCoverRequests;
void methodsCoverApi;

/** Events pushed by the back end; the list mirrors MailApiEvents. */
export const MAIL_API_EVENTS = ['sync:progress', 'mail:new', 'securitykey:prompt'] as const;

const eventsCoverApi: Equal<(typeof MAIL_API_EVENTS)[number], MailApiEventName> = true;
void eventsCoverApi;
