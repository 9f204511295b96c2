// Where the interop grid writes its report, and the write itself: the page is formatted with
// the repository's Prettier settings, so the "prettier --check" static test accepts it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';

export const reportPath = join(import.meta.dirname, '../../../../docs/INTEROP.md');

/** Formats the Markdown page and writes it to docs/INTEROP.md. */
export async function writeReport(markdown: string): Promise<void> {
  const options = (await resolveConfig(reportPath)) ?? {};
  writeFileSync(reportPath, await format(markdown, { ...options, filepath: reportPath }));
}
