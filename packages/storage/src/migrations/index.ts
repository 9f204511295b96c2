// The ordered list of schema migrations. Append new ones at the end with the next version number
// and never edit one that has shipped, because databases in the field already ran it.

import type { Migration } from './migration.ts';
import { initial } from './0001-initial.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [initial];
