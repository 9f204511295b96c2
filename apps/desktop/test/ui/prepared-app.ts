// Opens the app for a user whose data folder was set up through core first, with an account on
// the local mail stack and a key as after onboarding. A test so starts at the unlock screen and
// skips the first-run screens. The keys are sealed with PASSPHRASE because the harness runs
// without an OS keychain.

import { Sealpost } from '../../src/core/sealpost.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import type { DataPaths } from '../../src/core/paths.ts';
import {
  IMAP_STARTTLS_PORT,
  SMTP_SUBMISSION_PORT,
  stackCertificate,
  stackPassword,
  uniqueAddress,
} from '../e2e/stack.ts';
import { openApp } from './harness.ts';
import type { AppUnderTest, BrowserOptions } from './harness.ts';

export const PASSPHRASE = 'prepared app passphrase';

export interface PreparedApp extends AppUnderTest {
  address: string;
  /** The user's armored certificate, for the other side of a test to import. */
  certificate: string;
  /** The unlocked core behind the shell, for setup steps that are not under test. */
  core(): Sealpost;
}

export async function openPreparedApp(
  role: string,
  options: {
    /** Runs on the core after the account and key exist, before the app opens. */
    setup?: (sealpost: Sealpost, paths: DataPaths, address: string) => Promise<void>;
    browser?: BrowserOptions;
    /** Session options, such as the FIDO2 security key the app reaches. */
    session?: Parameters<typeof openApp>[3];
    /** The account's SMTP port on 127.0.0.1, such as a fault proxy's (default: submission). */
    smtpPort?: number;
  } = {},
): Promise<PreparedApp> {
  const address = uniqueAddress(role);
  let certificate = '';
  const app = await openApp(
    role,
    async (paths) => {
      const sealpost = await Sealpost.open(paths, createSilentLogger(), {
        keychain: null,
        passphrase: PASSPHRASE,
      });
      try {
        const server = { host: '127.0.0.1', user: address };
        await sealpost.accounts.add({
          email: address,
          displayName: null,
          imap: { ...server, port: IMAP_STARTTLS_PORT, security: 'starttls' },
          smtp: {
            ...server,
            port: options.smtpPort ?? SMTP_SUBMISSION_PORT,
            security: 'starttls',
          },
          password: stackPassword(address),
          pinnedCertificate: stackCertificate(),
        });
        await sealpost.keys.generate({ address, name: null });
        certificate = sealpost.keys.exportCertificate(address);
        await options.setup?.(sealpost, paths, address);
      } finally {
        sealpost.close();
      }
    },
    options.browser,
    options.session,
  );

  await app.page.getByLabel('Sealpost passphrase', { exact: true }).fill(PASSPHRASE);
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await app.page.getByRole('toolbar', { name: 'Main actions' }).waitFor();
  return { ...app, address, certificate, core: () => app.session.require() };
}

type Attachment = Parameters<Sealpost['mail']['send']>[0]['attachments'][number];

/** A message that the prepared user sends itself, encrypted, before the app opens. */
export interface SelfMessage {
  subject: string;
  text: string;
  attachment: Attachment;
}

/**
 * Opens the prepared app for `role` after its user sent itself `message`, and waits until the
 * message list shows a message.
 */
export async function openPreparedAppWithMessage(
  role: string,
  message: SelfMessage,
): Promise<PreparedApp> {
  const app = await openPreparedApp(role, {
    setup: async (sealpost, _paths, address) => {
      await sealpost.mail.send({
        from: null,
        to: [address],
        cc: [],
        bcc: [],
        subject: message.subject,
        text: message.text,
        attachments: [message.attachment],
        allowPlaintext: false,
      });
    },
  });
  await app.page.locator('.message-row').first().waitFor({ timeout: 30_000 });
  return app;
}
