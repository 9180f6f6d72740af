// The documents kiosks write to OSS and the report reads: one schema for both sides.
// Layout under the bucket (prefix `fleet/` by default):
//   fleet/<kioskId>/latest.json                         the last heartbeat (overwritten each beat)
//   fleet/<kioskId>/beats/<YYYY-MM-DD>/<HHMMSS>.json    every heartbeat (history; the report does not read these)
//   fleet/<kioskId>/daily/<YYYY-MM-DD>.json             the day's summary (rewritten hourly, final after midnight)
//   fleet/<kioskId>/days.json                           the last 35 daily summaries in one document (the report's input)
//   fleet/<kioskId>/backups/<stamp>.sqlite.enc          encrypted database copies (backup.ts)
//   fleet/settings/<group>.json                         remote settings for a group (Ed25519, operator-signed)
// Every kiosk document is an HMAC envelope (sign.ts). No personal data: counts, codes, versions.
import { z } from 'zod';

export const HEALTH_PARTS = ['camera', 'printer', 'paper', 'payment', 'ai', 'share', 'disk', 'clock', 'network'] as const;
export const PROVIDERS = ['payment', 'ai', 'upload', 'print', 'motion'] as const;

const Status = z.enum(['ok', 'warn', 'error', 'unknown']);
const Code = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/);
const Count = z.number().int().min(0);
const Calls = z.partialRecord(z.enum(PROVIDERS), z.object({ ok: Count, failed: Count }));
const Failures = z.partialRecord(z.enum(PROVIDERS), z.record(Code, Count));

export const Counters = z.object({
  visitors: Count,
  consents: Count,
  photos: Count,
  previews: Count,
  generated: Count,
  picked: Count,
  paidOrders: Count,
  paidByPackage: z.record(Code, z.object({ count: Count, fen: Count })),
  salesFen: Count,
  refunds: z.object({ count: Count, fen: Count }),
  aiImages: Count,
  aiCostFen: Count,
  paperUsed: Count,
  calls: Calls,
  failures: Failures,
});
export type Counters = z.infer<typeof Counters>;

export const Heartbeat = z.object({
  v: z.literal(1),
  kind: z.literal('heartbeat'),
  kioskId: z.string(),
  group: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'browser']),
  at: z.iso.datetime(),
  since: z.iso.datetime(),
  bootAt: z.iso.datetime(),
  uptimeSec: Count,
  seq: Count,
  /** The previous run ended without a clean stop (crash, power cut). */
  crashRestart: z.boolean(),
  health: z.partialRecord(z.enum(HEALTH_PARTS), z.object({ status: Status, code: Code })),
  paper: z.object({ remaining: z.number().int(), capacity: z.number().int() }),
  uploadsPending: Count,
  counters: Counters,
  settingsVersion: z.string().nullable(),
  lastBackupAt: z.iso.datetime().nullable(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const DailySummary = Counters.extend({
  v: z.literal(1),
  kind: z.literal('daily'),
  kioskId: z.string(),
  group: z.string(),
  version: z.string(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  at: z.iso.datetime(),
  /** False while the day is still running (rewritten hourly), true once written after midnight. */
  final: z.boolean(),
  heartbeats: Count,
  crashRestarts: Count,
});
export type DailySummary = z.infer<typeof DailySummary>;

export const DAYS_KEPT = 35;

export const DaysBundle = z.object({ v: z.literal(1), kind: z.literal('days'), kioskId: z.string(), at: z.iso.datetime(), days: z.array(DailySummary).max(400) });
export type DaysBundle = z.infer<typeof DaysBundle>;

export const fleetKeys = (prefix: string, kioskId: string) => ({
  latest: `${prefix}${kioskId}/latest.json`,
  beat: (at: Date) => `${prefix}${kioskId}/beats/${at.toISOString().slice(0, 10)}/${at.toISOString().slice(11, 19).replace(/:/g, '')}.json`,
  daily: (day: string) => `${prefix}${kioskId}/daily/${day}.json`,
  dailyPrefix: `${prefix}${kioskId}/daily/`,
  /** The last DAYS_KEPT daily summaries in one document (rewritten with each summary): what the report reads. */
  days: `${prefix}${kioskId}/days.json`,
  backups: `${prefix}${kioskId}/backups/`,
});
export const settingsKey = (prefix: string, group: string) => `${prefix}settings/${group}.json`;

export function emptyCounters(): Counters {
  return { visitors: 0, consents: 0, photos: 0, previews: 0, generated: 0, picked: 0, paidOrders: 0, paidByPackage: {}, salesFen: 0, refunds: { count: 0, fen: 0 }, aiImages: 0, aiCostFen: 0, paperUsed: 0, calls: {}, failures: {} };
}
