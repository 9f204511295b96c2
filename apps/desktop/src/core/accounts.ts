// Account service: adds an IMAP/SMTP account only after both servers accepted its login, and
// keeps the password sealed by the vault. Returns the connection settings other services use.

import type { Logger } from 'pino';
import type { Store } from '@sealpost/storage';
import { ImapSession, verifySmtpLogin } from '@sealpost/mail-transport';
import type { ImapConnectOptions, SmtpServer } from '@sealpost/mail-transport';
import { CoreError } from './errors.ts';
import { normalizeAddress } from './addresses.ts';
import type { Vault } from './vault.ts';

export type ServerSecurity = 'starttls' | 'tls';

export interface ServerSettings {
  host: string;
  port: number;
  security: ServerSecurity;
  user: string;
}

export interface AccountInput {
  email: string;
  displayName: string | null;
  imap: ServerSettings;
  smtp: ServerSettings;
  password: string;
  pinnedCertificate: string | null;
}

export interface AccountSummary {
  id: number;
  email: string;
  displayName: string | null;
  imap: ServerSettings;
  smtp: ServerSettings;
  pinnedCertificate: boolean;
}

const PASSWORD_PURPOSE = 'account-password';

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly vault: () => Vault,
    private readonly log: Logger,
  ) {}

  async add(input: AccountInput): Promise<AccountSummary> {
    const email = normalizeAddress(input.email, '--email');
    if (this.store.accounts.getByEmail(email)) {
      throw new CoreError(
        'INVALID_ARGUMENT',
        `The account ${email} already exists; to change it, remove it first with "sealpost account remove --address ${email} --yes" (keys and contacts are kept), then add it again.`,
      );
    }
    const sealedPassword = this.vault().seal(Buffer.from(input.password, 'utf8'), PASSWORD_PURPOSE);

    // Check both logins before storing anything, so a typo never leaves a half-added account.
    await verifyLogins(input);

    const account = this.store.accounts.insert({
      email,
      displayName: input.displayName,
      imap: input.imap,
      smtp: input.smtp,
      sealedPassword,
      pinnedCertificate: input.pinnedCertificate,
    });
    this.log.info({ accountId: account.id }, 'account added');
    return summarize(account);
  }

  list(): AccountSummary[] {
    return this.store.accounts.list().map(summarize);
  }

  /**
   * Removes the account with its sealed password, its local copies of folders and mail, and its
   * unsent outbox. Mail on the server stays untouched. Returns false when no such account exists.
   */
  remove(email: string): boolean {
    const account = this.store.accounts.getByEmail(normalizeAddress(email, 'account'));
    if (!account) return false;
    this.store.accounts.remove(account.id);
    this.log.info({ accountId: account.id }, 'account removed');
    return true;
  }

  /** Returns the account for `email`, or the only account when `email` is null. */
  resolve(email: string | null): AccountRecord {
    if (email !== null) {
      const account = this.store.accounts.getByEmail(normalizeAddress(email, 'account'));
      if (!account) {
        throw new CoreError(
          'ACCOUNT_NOT_FOUND',
          `No account ${email}; add it with "sealpost account add".`,
        );
      }
      return account;
    }
    const accounts = this.store.accounts.list();
    if (accounts.length === 0) {
      throw new CoreError(
        'ACCOUNT_NOT_FOUND',
        'No account is set up yet; add one with "sealpost account add".',
      );
    }
    if (accounts.length > 1) {
      throw new CoreError(
        'ACCOUNT_AMBIGUOUS',
        `There are ${accounts.length} accounts; choose one with --from or --account (${accounts.map((a) => a.email).join(', ')}).`,
      );
    }
    return accounts[0]!;
  }

  imapOptions(account: AccountRecord): ImapConnectOptions {
    return imapOptions(account.imap, this.#password(account), account.pinnedCertificate);
  }

  smtpServer(account: AccountRecord): SmtpServer {
    return smtpServer(account.smtp, this.#password(account), account.pinnedCertificate);
  }

  #password(account: AccountRecord): string {
    return this.vault().unseal(account.sealedPassword, PASSWORD_PURPOSE).toString('utf8');
  }
}

/**
 * Logs in to the IMAP and then the SMTP server of `input` and logs out, storing nothing. Raises
 * the transport's error for the first login that fails.
 */
export async function verifyLogins(
  input: Pick<AccountInput, 'imap' | 'smtp' | 'password' | 'pinnedCertificate'>,
): Promise<void> {
  const session = await ImapSession.connect(
    imapOptions(input.imap, input.password, input.pinnedCertificate),
  );
  await session.close();
  await verifySmtpLogin(smtpServer(input.smtp, input.password, input.pinnedCertificate));
}

export type AccountRecord = NonNullable<ReturnType<Store['accounts']['getByEmail']>>;

function imapOptions(
  server: ServerSettings,
  password: string,
  pinnedCertificate: string | null,
): ImapConnectOptions {
  return { ...server, password, pinnedCertificate: pinnedCertificate ?? undefined };
}

function smtpServer(
  server: ServerSettings,
  password: string,
  pinnedCertificate: string | null,
): SmtpServer {
  return { ...server, password, pinnedCertificate: pinnedCertificate ?? undefined };
}

function summarize(account: AccountRecord): AccountSummary {
  return {
    id: account.id,
    email: account.email,
    displayName: account.displayName,
    imap: account.imap,
    smtp: account.smtp,
    pinnedCertificate: account.pinnedCertificate !== null,
  };
}
