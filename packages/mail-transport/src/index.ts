// Public API of @sealpost/mail-transport: MIME building and parsing around OpenPGP data made
// elsewhere (this package does no cryptography), Autocrypt headers, SMTP submission and IMAP.

export { TransportError, type TransportErrorCode } from './transport-error.ts';
export type {
  AttachmentInput,
  AutocryptHeaderFields,
  EnvelopeHeaderFields,
  Mailbox,
  MailboxInput,
  MessageHeaderFields,
} from './types.ts';

export {
  buildInnerEntity,
  SUBJECT_PLACEHOLDER,
  type InnerEntityInput,
} from './build/inner-entity.ts';
export { buildEncryptedMessage, type EncryptedMessageInput } from './build/encrypted-message.ts';
export {
  buildSignedPart,
  buildSignedMessage,
  signedPartBytes,
  MICALGS,
  type Micalg,
  type SignedMessageInput,
} from './build/signed-message.ts';
export { buildPlainMessage, type PlainMessageInput } from './build/plain-message.ts';

export { parseMessage, type MessageKind, type ParsedMessage } from './parse/parse-message.ts';
export { classifyMessage, type MessageClassification } from './parse/classify-message.ts';
export {
  parseEntity,
  type ParsedAttachment,
  type ParsedEntity,
  type ProtectedHeaders,
} from './parse/parse-entity.ts';
export type { ParsedHeaders, ParsedMailbox } from './parse/message-headers.ts';
export type { SignedParts } from './parse/signed-parts.ts';
export { MAX_MIME_DEPTH, MAX_MIME_PARTS } from './parse/mime-tree.ts';
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse/parse-limits.ts';
export type { CleartextSignedParts } from './parse/cleartext-signed.ts';
export {
  DEFAULT_STREAM_PARSE_LIMITS,
  parseEntityStream,
  type AttachmentSink,
  type EntityStreamResult,
  type InMemoryReason,
  type OpenAttachmentSink,
  type StreamedAttachment,
  type StreamedEntity,
  type StreamParseLimits,
} from './parse/stream-entity.ts';

export {
  formatAutocryptHeader,
  parseAutocryptHeaders,
  type AutocryptHeader,
} from './autocrypt/autocrypt-header.ts';
export {
  formatGossipHeader,
  parseGossipHeaders,
  type GossipHeader,
} from './autocrypt/gossip-header.ts';

export {
  sendMessage,
  verifySmtpLogin,
  type SendMessageInput,
  type SendResult,
  type SmtpServer,
} from './smtp/send-message.ts';
export { smtpMaxMessageSize } from './smtp/smtp-size.ts';
export {
  ImapSession,
  type FetchedMessage,
  type FetchNewOptions,
  type FetchNewResult,
  type Folder,
  type ImapConnectOptions,
  type ImapLogger,
  type SpecialUse,
} from './imap/imap-session.ts';
export type {
  FlagChange,
  FlagChangesResult,
  HeaderFetch,
  MailboxState,
  SourceFetch,
} from './imap/mailbox-sync.ts';
export type { MoveResult } from './imap/mailbox-actions.ts';
export type { ServerConfig } from './server-config.ts';

export {
  EMPTY_PEER_STATE,
  combineRecommendations,
  effectiveDate,
  recommendForPeer,
  updatePeerGossip,
  updatePeerState,
  type PeerState,
  type Recommendation,
  type RecommendationResult,
} from './autocrypt/peer-state.ts';
export {
  normalizeSetupCode,
  parseSetupMessage,
  type SetupMessage,
} from './autocrypt/setup-message.ts';
export { zbase32Encode } from './wkd/zbase32.ts';
export {
  httpsGet,
  type HostResolver,
  type HttpsTarget,
  type KeyLookupOptions,
} from './wkd/https-get.ts';
export { lookupWkd, wkdUrls, type WkdResult, type WkdUrls } from './wkd/wkd-lookup.ts';
export { lookupVksByEmail, lookupVksByFingerprint, type VksResult } from './vks/vks-lookup.ts';

export type { FileAttachmentInput } from './types.ts';
export {
  isFileAttachment,
  streamInnerEntity,
  type StreamedEntityInput,
} from './build/streamed-entity.ts';
export {
  armorLineBreaks,
  buildEncryptedMessageFrame,
  type EncryptedMessageFrame,
} from './build/encrypted-message-frame.ts';
export type { RawMessageFile } from './smtp/send-message.ts';
export { appendFile, type AppendFileInput } from './imap/append-file.ts';
