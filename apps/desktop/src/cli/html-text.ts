// Renders the HTML part of a message as plain text for the terminal, for mail that has no text
// part. html-to-text parses the markup and never fetches anything: images are dropped and
// links stay as text. The result is still untrusted and goes through terminalText.

import { convert } from 'html-to-text';

/** Returns the text of `html`, wrapped at 80 columns, with links shown in brackets. */
export function htmlToPlainText(html: string): string {
  return convert(html, {
    wordwrap: 80,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });
}
