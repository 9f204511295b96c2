// Argument checks at the boundary of ImapSession: folder paths, UID sets (RFC 9051 section 2.3.1.1:
// non-zero 32-bit) and flag names (RFC 9051 section 2.3.2 atoms). A bad value raises
// INVALID_ARGUMENT before anything reaches the server.

import { assertArgument } from '../transport-error.ts';

export function checkPath(path: string): void {
  assertArgument(
    typeof path === 'string' && path.length > 0,
    'path must be a folder path from listFolders()',
  );
}

export function checkUids(uids: readonly number[]): void {
  assertArgument(
    Array.isArray(uids) &&
      uids.length > 0 &&
      uids.every((uid) => Number.isInteger(uid) && uid >= 1 && uid <= 0xffff_ffff),
    `uids ${JSON.stringify(uids.slice(0, 5))} are invalid: expected non-zero 32-bit UIDs`,
  );
}

export function checkFlag(flag: string): void {
  assertArgument(
    typeof flag === 'string' && /^\\?[^\s()[\]{}%*"\\]+$/.test(flag),
    `flag ${JSON.stringify(flag)} is invalid: expected an IMAP flag such as \\Seen`,
  );
}
