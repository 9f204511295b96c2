// Core's notices for the app: the CLI command that accepts a changed key becomes the app's
// Accept new key button, and fingerprints are grouped as the app shows them. The grouped form
// is not accepted by the CLI, so a CLI command must never be shown with grouped fingerprints.
// Advice to pin a server certificate names the account form's field instead of a file path.

import { formatFingerprintsIn } from './fingerprint.ts';

const CLI_ACCEPT_KEY = /run "sealpost contacts accept-key [^"]*"/g;
const PIN_ADVICE = /or pin the server's certificate/g;
const REPOSITORY_CERTIFICATE_NOTE = /Pin the certificate in \S+ of the Sealpost repository\./g;

/** The account form's field for a pinned certificate, as the advice names it. */
export const PINNED_CERTIFICATE_FIELD = 'Pinned server certificate';

/** Rewords core text for the app: grouped fingerprints, Accept new key and the certificate field. */
export function appWording(text: string): string {
  const reworded = text
    .replace(CLI_ACCEPT_KEY, 'accept it with “Accept new key” in Contacts and keys')
    .replace(
      PIN_ADVICE,
      `or, for a server with a self-signed certificate, paste that certificate into “${PINNED_CERTIFICATE_FIELD}”`,
    )
    .replace(
      REPOSITORY_CERTIFICATE_NOTE,
      `This server uses a self-signed certificate, which no certificate authority vouches for. Paste its certificate (PEM, from the server's administrator) into “${PINNED_CERTIFICATE_FIELD}”, and Sealpost trusts it in place of the certificate authorities.`,
    );
  return formatFingerprintsIn(reworded);
}
