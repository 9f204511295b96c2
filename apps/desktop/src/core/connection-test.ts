// Checks IMAP and SMTP logins of account settings without storing anything, so the account
// form can show which server failed and why before the account is added. The password is
// only passed to the transport and never logged.

import { ImapSession, verifySmtpLogin } from '@sealpost/mail-transport';
import type { ServerSettings } from './accounts.ts';
import { errorCode } from './errors.ts';

export interface ConnectionCheck {
  ok: boolean;
  error: { code: string; message: string } | null;
}

export interface ConnectionSettings {
  imap: ServerSettings;
  smtp: ServerSettings;
  password: string;
  pinnedCertificate: string | null;
}

export async function testConnection(
  settings: ConnectionSettings,
): Promise<{ imap: ConnectionCheck; smtp: ConnectionCheck }> {
  const pinnedCertificate = settings.pinnedCertificate ?? undefined;
  const [imap, smtp] = await Promise.all([
    check(async () => {
      const session = await ImapSession.connect({
        ...settings.imap,
        password: settings.password,
        pinnedCertificate,
      });
      await session.close();
    }),
    check(() =>
      verifySmtpLogin({ ...settings.smtp, password: settings.password, pinnedCertificate }),
    ),
  ]);
  return { imap, smtp };
}

async function check(attempt: () => Promise<unknown>): Promise<ConnectionCheck> {
  try {
    await attempt();
    return { ok: true, error: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: errorCode(error), message } };
  }
}
