// KeySettingsRepository: the `key_settings` table, named settings of key management such as
// the subkey rotation interval. Values are text; the caller parses and validates them.

import type { Connection } from '../connection.ts';
import { requireText } from '../validate.ts';

export class KeySettingsRepository {
  constructor(private readonly connection: Connection) {}

  get(name: string): string | null {
    const row = this.connection.read(`get key setting ${name}`, (db) =>
      db.prepare('SELECT value FROM key_settings WHERE name = ?').get(requireText(name, 'name')),
    ) as { value: string } | undefined;
    return row ? row.value : null;
  }

  set(name: string, value: string): void {
    this.connection.write(`set key setting ${name}`, (db) => {
      db.prepare(
        `INSERT INTO key_settings (name, value) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      ).run(requireText(name, 'name'), requireText(value, 'value'));
    });
  }
}
