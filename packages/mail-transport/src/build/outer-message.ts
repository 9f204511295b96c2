// Outer header section shared by the message builders: the RFC 5322 fields, MIME-Version
// (RFC 2045 section 4) and the Autocrypt header, which must name the From address.

import { checkHeaderFields, headerFieldLines, type CheckedHeaderFields } from './header-fields.ts';
import { formatAutocryptHeader } from '../autocrypt/autocrypt-header.ts';
import { formatFoldedHeaderField, formatHeaderField } from '../mime/header-format.ts';
import { assertArgument } from '../transport-error.ts';
import type { AutocryptHeaderFields, EnvelopeHeaderFields } from '../types.ts';

/** Writes the outer header lines (without Content-Type) and returns the checked fields too. */
export function outerHeaderLines(
  headers: EnvelopeHeaderFields & { subject?: string },
  subject: { kind: 'real' } | { kind: 'placeholder'; text: string },
  autocrypt: AutocryptHeaderFields | undefined,
): { lines: string[]; checked: CheckedHeaderFields } {
  const checked = checkHeaderFields(headers, subject.kind === 'real' ? 'required' : 'forbidden');
  const lines = headerFieldLines(checked, subject.kind === 'real' ? checked.subject : subject.text);
  lines.push(formatHeaderField('MIME-Version', '1.0'));

  if (autocrypt !== undefined) {
    assertArgument(
      typeof autocrypt?.addr === 'string' &&
        autocrypt.addr.toLowerCase() === checked.from.address.toLowerCase(),
      `Autocrypt addr ${JSON.stringify(autocrypt?.addr)} differs from From ${checked.from.address}: receivers would discard the header`,
    );
    lines.push(formatFoldedHeaderField('Autocrypt', formatAutocryptHeader(autocrypt)));
  }
  return { lines, checked };
}
