// Bundled IMAP/SMTP settings of well-known mail providers, used to prefill the account form.
// Values are the providers' published client settings; users can edit every field, so a
// stale entry costs a correction, not an account.

export interface ProviderServer {
  host: string;
  port: number;
  security: 'starttls' | 'tls';
}

export interface Provider {
  name: string;
  domains: string[];
  imap: ProviderServer;
  smtp: ProviderServer;
  note: string | null;
}

const APP_PASSWORD_NOTE =
  'This provider requires an app password when two-step verification is on; create one in its account settings.';

export const PROVIDERS: readonly Provider[] = [
  {
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    note: APP_PASSWORD_NOTE,
  },
  {
    name: 'Outlook.com',
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'],
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' },
    note: APP_PASSWORD_NOTE,
  },
  {
    name: 'Yahoo Mail',
    domains: ['yahoo.com', 'ymail.com'],
    imap: { host: 'imap.mail.yahoo.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.mail.yahoo.com', port: 465, security: 'tls' },
    note: APP_PASSWORD_NOTE,
  },
  {
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    imap: { host: 'imap.mail.me.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.mail.me.com', port: 587, security: 'starttls' },
    note: APP_PASSWORD_NOTE,
  },
  {
    name: 'Fastmail',
    domains: ['fastmail.com', 'fastmail.fm'],
    imap: { host: 'imap.fastmail.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.fastmail.com', port: 465, security: 'tls' },
    note: APP_PASSWORD_NOTE,
  },
  {
    name: 'Posteo',
    domains: ['posteo.de', 'posteo.net'],
    imap: { host: 'posteo.de', port: 993, security: 'tls' },
    smtp: { host: 'posteo.de', port: 465, security: 'tls' },
    note: null,
  },
  {
    name: 'mailbox.org',
    domains: ['mailbox.org'],
    imap: { host: 'imap.mailbox.org', port: 993, security: 'tls' },
    smtp: { host: 'smtp.mailbox.org', port: 465, security: 'tls' },
    note: null,
  },
  {
    name: 'GMX',
    domains: ['gmx.de', 'gmx.net', 'gmx.com'],
    imap: { host: 'imap.gmx.net', port: 993, security: 'tls' },
    smtp: { host: 'mail.gmx.net', port: 587, security: 'starttls' },
    note: 'Enable IMAP access in the GMX web settings first.',
  },
  {
    name: 'Sealpost local test mail server',
    domains: ['sealpost.test'],
    imap: { host: '127.0.0.1', port: 1143, security: 'starttls' },
    smtp: { host: '127.0.0.1', port: 1587, security: 'starttls' },
    note: 'Pin the certificate in .mail-stack/tls/cert.pem of the Sealpost repository.',
  },
];

/** Returns the provider whose domain matches `email`'s domain, or null. */
export function findProvider(email: string): Provider | null {
  const domain = email.trim().toLowerCase().split('@')[1];
  if (!domain) return null;
  return PROVIDERS.find((provider) => provider.domains.includes(domain)) ?? null;
}
