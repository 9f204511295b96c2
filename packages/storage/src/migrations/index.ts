// The ordered list of schema migrations. Append new ones at the end with the next version number
// and never edit one that has shipped, because databases in the field already ran it.

import type { Migration } from './migration.ts';
import { initial } from './0001-initial.ts';
import { keyAudit } from './0002-key-audit.ts';
import { syncSearch } from './0003-sync-search.ts';
import { ratchetSessions } from './0004-ratchet-sessions.ts';
import { keyDiscovery } from './0005-key-discovery.ts';
import { ratchetMail } from './0006-ratchet-mail.ts';
import { messageRaw } from './0007-message-raw.ts';
import { searchQueue } from './0008-search-queue.ts';
import { searchDateIndex } from './0009-search-date-index.ts';
import { searchDateRowid } from './0010-search-date-rowid.ts';
import { outboxFiles } from './0011-outbox-files.ts';
import { messageFiles } from './0012-message-files.ts';
import { readSubjects } from './0013-read-subjects.ts';
import { messageBodies } from './0014-message-bodies.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [
  initial,
  keyAudit,
  syncSearch,
  ratchetSessions,
  keyDiscovery,
  ratchetMail,
  messageRaw,
  searchQueue,
  searchDateIndex,
  searchDateRowid,
  outboxFiles,
  messageFiles,
  readSubjects,
  messageBodies,
];
