// `sealpost account add|list|remove`: register an IMAP/SMTP account after checking that the
// servers accept its login, list accounts, and remove one from this computer.

import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CoreError } from '../../core/errors.ts';
import { verifyLogins } from '../../core/accounts.ts';
import type { AccountInput, ServerSecurity } from '../../core/accounts.ts';
import { dataFolderState } from '../../core/keystore/open-keys.ts';
import { resolveDataPaths } from '../../core/paths.ts';
import { printJson, withSealpost } from '../context.ts';
import { obtainSecret } from '../secrets.ts';
import { withTlsModeHint } from '../tls-mode-hint.ts';

interface AccountAddOptions {
  email: string;
  name?: string;
  user?: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: ServerSecurity;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: ServerSecurity;
  passwordFile?: string;
  pinCertificate?: string;
}

const SECURITY_CHOICES: ServerSecurity[] = ['starttls', 'tls'];

export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('manage mail accounts');

  account
    .command('add')
    .description('add an IMAP/SMTP account; the login is checked before anything is stored')
    .requiredOption('--email <address>', 'the account e-mail address')
    .option('--name <name>', 'display name used in From')
    .option('--user <login>', 'login name for IMAP and SMTP (default: the e-mail address)')
    .requiredOption('--imap-host <host>', 'IMAP server host name')
    .option('--imap-port <port>', 'IMAP server port', '993')
    .addOption(
      new Option('--imap-security <mode>', 'IMAP TLS mode')
        .choices(SECURITY_CHOICES)
        .default('tls'),
    )
    .requiredOption('--smtp-host <host>', 'SMTP submission server host name')
    .option('--smtp-port <port>', 'SMTP submission port', '587')
    .addOption(
      new Option('--smtp-security <mode>', 'SMTP TLS mode')
        .choices(SECURITY_CHOICES)
        .default('starttls'),
    )
    .option('--password-file <file>', 'read the account password from the first line of a file')
    .option(
      '--pin-certificate <file>',
      'trust this PEM certificate for the servers instead of the system CAs (self-signed servers)',
    )
    .action(async (options: AccountAddOptions, command: Command) => {
      const password = await obtainSecret(
        options.passwordFile,
        'account password',
        '--password-file',
      );
      const pinnedCertificate = options.pinCertificate ? readPem(options.pinCertificate) : null;
      const user = options.user ?? options.email;

      const input: AccountInput = {
        email: options.email,
        displayName: options.name ?? null,
        imap: {
          host: options.imapHost,
          port: parsePort(options.imapPort, '--imap-port'),
          security: options.imapSecurity,
          user,
        },
        smtp: {
          host: options.smtpHost,
          port: parsePort(options.smtpPort, '--smtp-port'),
          security: options.smtpSecurity,
          user,
        },
        password,
        pinnedCertificate,
      };
      // Opening a new data folder creates its keystore, database and audit log, locked with the
      // passphrase chosen now. A failed first login must not leave that behind, so the logins
      // are checked before the folder is created.
      const security = { imap: input.imap.security, smtp: input.smtp.security };
      const addHint = (error: unknown) => {
        throw withTlsModeHint(error, security);
      };
      if (dataFolderState(resolveDataPaths()) === 'new') await verifyLogins(input).catch(addHint);

      await withSealpost(command, { unlock: true }, async (sealpost) => {
        const added = await sealpost.accounts.add(input).catch(addHint);
        process.stdout.write(`Added account ${added.email}; IMAP and SMTP logins succeeded.\n`);
        if (!sealpost.keys.hasIdentity(added.email)) {
          process.stdout.write(
            `Next: create a key with "sealpost key generate --address ${added.email}".\n`,
          );
        }
      });
    });

  account
    .command('list')
    .description('list the configured accounts')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const accounts = sealpost.accounts.list();
        if (options.json) return printJson(accounts);
        if (accounts.length === 0)
          process.stdout.write('No accounts yet; add one with "sealpost account add".\n');
        for (const entry of accounts) {
          process.stdout.write(
            `${entry.email}  IMAP ${entry.imap.host}:${entry.imap.port} (${entry.imap.security})  SMTP ${entry.smtp.host}:${entry.smtp.port} (${entry.smtp.security})\n`,
          );
        }
      });
    });

  registerAccountRemove(account);
}

/** Registers `account remove`, which deletes local data only, never mail on the server. */
function registerAccountRemove(account: Command): void {
  account
    .command('remove')
    .description(
      'remove an account from this computer: deletes its stored password, the local copies of its folders and mail, and its unsent outbox messages; keeps your keys and contacts, and never deletes mail on the server',
    )
    .requiredOption('--address <address>', 'the e-mail address of the account to remove')
    .option('--yes', 'confirm the removal')
    .action(async (options: { address: string; yes?: boolean }, command: Command) => {
      await withSealpost(command, { unlock: false }, async (sealpost) => {
        const email = sealpost.accounts.resolve(options.address).email;
        const unsent = sealpost.mail.listOutbox().filter((entry) => entry.account === email);
        if (options.yes !== true) {
          throw new CoreError(
            'CONFIRMATION_REQUIRED',
            `Removing ${email} deletes its stored password, the local copies of its mail and ${unsent.length} unsent outbox message(s); mail on the server, keys and contacts are kept. Add --yes to confirm.`,
          );
        }
        sealpost.accounts.remove(email);
        process.stdout.write(
          `Removed account ${email} and ${unsent.length} unsent outbox message(s) from this computer; mail on the server, keys and contacts are kept. Add it again with "sealpost account add".\n`,
        );
      });
    });
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${flag} ${value} is not a port number; use 1 to 65535.`,
    );
  }
  return port;
}

function readPem(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `Cannot read the certificate file ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${file} is not a PEM certificate; pass the server's certificate in PEM form.`,
    );
  }
  return text;
}
