// Business counters for a time window, read from the kiosk's database (the source of truth, so a
// heartbeat lost in transit or a restart loses nothing: the next beat and the daily summary are
// recomputed from the same rows). Counts and money only: no order ids, trade numbers or tokens.
import type { Db } from '../store/db';

export interface BusinessCounters {
  /** Families who started (the kiosk records nothing about passers-by before consent, by design). */
  visitors: number;
  consents: number;
  photos: number;
  previews: number;
  /** Families who saw their AI previews (reached "generated") and who picked one: the funnel's middle. */
  generated: number;
  picked: number;
  /** Orders that reached "paid" (free packages included with 0 fen), by package. */
  paidByPackage: Record<string, { count: number; fen: number }>;
  paidOrders: number;
  salesFen: number;
  refunds: { count: number; fen: number };
}

const one = (db: Db, sql: string, ...args: unknown[]): number => Number((db.prepare(sql).get(...args) as { n: number | null }).n ?? 0);

/** Counters for fromIso ≤ t < toIso (ISO-8601 UTC strings, as the database stores times). */
export function businessCounters(db: Db, fromIso: string, toIso: string): BusinessCounters {
  const w = [fromIso, toIso];
  const visitors = one(db, 'SELECT COUNT(*) AS n FROM orders WHERE created_at >= ? AND created_at < ?', ...w);
  const consents = one(db, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'consent' AND at >= ? AND at < ?", ...w);
  const photos = one(db, 'SELECT COUNT(*) AS n FROM photos WHERE created_at >= ? AND created_at < ?', ...w);
  const previews = one(db, "SELECT COUNT(*) AS n FROM assets WHERE kind = 'preview' AND created_at >= ? AND created_at < ?", ...w);
  const reached = (state: string) => one(db, 'SELECT COUNT(DISTINCT order_id) AS n FROM order_transitions WHERE to_state = ? AND at >= ? AND at < ?', state, ...w);
  const generated = reached('generated');
  const picked = reached('picked');
  const paidRows = db
    .prepare(
      `SELECT COALESCE(o.package_id, 'unknown') AS pkg, COUNT(*) AS count, COALESCE(SUM(o.amount_fen), 0) AS fen
       FROM order_transitions t JOIN orders o ON o.id = t.order_id
       WHERE t.to_state = 'paid' AND t.at >= ? AND t.at < ? GROUP BY pkg ORDER BY pkg`,
    )
    .all(...w) as { pkg: string; count: number; fen: number }[];
  const paidByPackage: BusinessCounters['paidByPackage'] = {};
  for (const r of paidRows) paidByPackage[r.pkg] = { count: r.count, fen: r.fen };
  const refunds = db
    .prepare(
      `SELECT COUNT(*) AS count, COALESCE(SUM(r.amount_fen), 0) AS fen
       FROM order_transitions t JOIN refunds r ON r.order_id = t.order_id
       WHERE t.to_state = 'refunded' AND t.at >= ? AND t.at < ?`,
    )
    .get(...w) as { count: number; fen: number };
  return {
    visitors,
    consents,
    photos,
    previews,
    generated,
    picked,
    paidByPackage,
    paidOrders: paidRows.reduce((s, r) => s + r.count, 0),
    salesFen: paidRows.reduce((s, r) => s + r.fen, 0),
    refunds: { count: refunds.count, fen: refunds.fen },
  };
}

/** Local calendar day (the kiosk's time zone is the mall's), as the daily summary names it. */
export function localDay(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** [start, end) of a local day as epoch ms. */
export function dayBounds(day: string): [number, number] {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return [new Date(y, m - 1, d).getTime(), new Date(y, m - 1, d + 1).getTime()];
}
