// Cleanup of files that a data-folder store (outbox files, received message files) wrote but no
// database row refers to. A process may have died while writing a file or before storing its
// row, or the row was deleted since. Only files past an age limit are deleted, because a file
// that is still being written has no row yet.

import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Age after which a file that no row refers to is deleted. A writer writes to its .part file
 * all along and stores the row right after the rename, so an hour since the last write leaves
 * room for a large message on a slow machine or connection.
 */
export const ORPHAN_AGE_MS = 60 * 60_000;

/**
 * Deletes the files in `folder` whose names match `pattern`, that are not in `referenced`, and
 * that were last written ORPHAN_AGE_MS or more before `now`. Returns their names.
 */
export async function removeOrphanFiles(
  folder: string,
  pattern: RegExp,
  referenced: ReadonlySet<string>,
  now: number,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!pattern.test(name) || referenced.has(name)) continue;
    const file = path.join(folder, name);
    const modified = (await stat(file).catch(() => null))?.mtimeMs;
    if (modified === undefined || now - modified < ORPHAN_AGE_MS) continue;
    await rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}
