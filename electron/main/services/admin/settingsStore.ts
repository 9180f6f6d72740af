// Small typed access to the store's key/value `settings` table: what the operator changes at the
// kiosk (catalogue overrides, PIN lockout, paper) lives in the same database as the orders, so
// it survives a restart and a power cut with the same guarantees.
import type { z } from 'zod';
import type { Db } from '../store/db';

/** The stored value, or `fallback` when it is missing or no longer fits the schema. */
export function readSetting<T>(db: Db, key: string, schema: z.ZodType<T>, fallback: T): T {
  const row = db.prepare('SELECT value_json FROM settings WHERE key = ?').get(key) as { value_json: string } | undefined;
  if (!row) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(row.value_json));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

export function writeSetting(db: Db, key: string, value: unknown): void {
  db.prepare(
    `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
  ).run(key, JSON.stringify(value), new Date().toISOString());
}
