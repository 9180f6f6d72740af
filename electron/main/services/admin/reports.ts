// Orders and money as the operator sees them: orders that need a person first, sales for today,
// the last 7 days and by package, refunds, and a CSV for the accountant. All read-only SQL.
import type { AdminOrderRow, OrderState, SalesReport } from '../../../shared/contract';
import { statesWhere } from '../../../shared/orderStates';
import type { Db } from '../store/db';
import type { DeliverableRow, OrderRow, RefundRow } from '../orders/repo';

type Attention = AdminOrderRow['attention'][number];

/** States a customer reached with money or a delivery involved; the rest (abandoned sessions) are noise. */
const MONEY_STATES: OrderState[] = statesWhere('involvesMoney');
const REPRINTABLE: OrderState[] = statesWhere('reprintable');
/** A `delivering` order untouched this long (or whose delivery threw) needs the operator: retry or refund. */
export const DELIVERY_STALE_MS = 15 * 60_000;

interface Joined extends OrderRow {
  print_status: DeliverableRow['status'] | null;
  refund_state: RefundRow['state'] | null;
  refund_amount: number | null;
  refund_reason: string | null;
  refund_actor: string | null;
  closing: number;
  paid_fen: number | null;
  paid_trade: string | null;
  transaction_id: string | null;
  disputed: number;
  resolved: number;
}

const JOINED_SQL = `
  SELECT o.*, pr.status AS print_status,
    r.state AS refund_state, r.amount_fen AS refund_amount, r.reason AS refund_reason, r.actor AS refund_actor,
    (SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id AND p.state = 'closing') AS closing,
    (SELECT p.amount_fen FROM payments p WHERE p.order_id = o.id AND p.state = 'paid' LIMIT 1) AS paid_fen,
    (SELECT p.out_trade_no FROM payments p WHERE p.order_id = o.id AND p.state = 'paid' LIMIT 1) AS paid_trade,
    (SELECT p.transaction_id FROM payments p WHERE p.order_id = o.id AND p.state = 'paid' LIMIT 1) AS transaction_id,
    (SELECT COUNT(*) FROM payments p WHERE p.order_id = o.id AND p.state = 'disputed') AS disputed,
    (SELECT COUNT(*) FROM audit_log a WHERE a.order_id = o.id AND a.action = 'dispute_resolved') AS resolved
  FROM orders o
  LEFT JOIN deliverables pr ON pr.order_id = o.id AND pr.kind = 'print'
  LEFT JOIN refunds r ON r.order_id = o.id`;

/** Paid, not delivered, and either its delivery threw or nothing has moved for a quarter of an hour. */
export function deliveryStuck(o: Pick<OrderRow, 'state' | 'updated_at'> & { delivery_attempts: number | null }, now = Date.now()): boolean {
  return o.state === 'delivering' && ((o.delivery_attempts ?? 0) > 0 || now - Date.parse(o.updated_at) > DELIVERY_STALE_MS);
}

function attentionOf(o: Joined, now = Date.now()): Attention[] {
  const a: Attention[] = [];
  if (o.refund_state === 'failed') a.push('REFUND_FAILED');
  if (o.state === 'refund_pending') a.push('REFUND_PENDING');
  if (o.state === 'delivery_failed') a.push('DELIVERY_FAILED');
  if (o.print_status === 'failed') a.push('PRINT_FAILED');
  if (o.closing > 0) a.push('CLOSE_PENDING');
  if (deliveryStuck(o, now)) a.push('DELIVERY_STUCK');
  // A disputed trade is only ever set aside for a wrong or missing amount (orders/money.ts, audited
  // amount_mismatch); it needs a person until the operator marks it settled (dispute_resolved).
  if (o.disputed > o.resolved) a.push('AMOUNT_MISMATCH');
  // A paid order's generation never fails (it happened before payment); a family that gave up
  // after a failed generation is worth a look (provider down?) but is not money.
  if (o.generation_status === 'failed' && o.state === 'abandoned') a.push('GENERATION_FAILED');
  return a;
}

/** The print row's status in the operator's words (the admin contract's print states). */
function printState(s: DeliverableRow['status'] | null): AdminOrderRow['print'] {
  return s === null ? 'none' : s === 'pending' ? 'queued' : s === 'working' ? 'printing' : s;
}

function toRow(o: Joined): AdminOrderRow {
  const attention = attentionOf(o);
  return {
    id: o.id,
    state: o.state,
    createdAt: o.created_at,
    packageId: o.package_id,
    amountFen: o.amount_fen,
    print: printState(o.print_status),
    refund:
      o.refund_state !== null
        ? { state: o.refund_state, amountFen: o.refund_amount ?? 0, reason: o.refund_reason ?? '', actor: o.refund_actor ?? '' }
        : null,
    attention,
    // A stuck delivery's "reprint" is "try the delivery again now".
    canReprint: (REPRINTABLE.includes(o.state) && o.final_asset_id !== null) || attention.includes('DELIVERY_STUCK'),
    canRefund:
      (o.state === 'delivered' || o.state === 'delivery_failed' || attention.includes('DELIVERY_STUCK')) &&
      o.paid_fen !== null &&
      o.paid_fen > 0 &&
      o.refund_state === null,
    canResolve: o.disputed > o.resolved,
  };
}

/**
 * Orders whose money is not settled by the kiosk on its own, whatever their state: a trade the
 * provider reported paid for another amount (or none: `disputed`), a close or refund still open or
 * failed, a delivery that is not done. An abandoned order can hold one (the family left, then paid
 * late with the wrong amount), so the state alone never hides it.
 */
const MONEY_OPEN_SQL = `(
  o.state IN ('delivering', 'delivery_failed', 'refund_pending')
  OR EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.state IN ('closing', 'disputed'))
  OR EXISTS (SELECT 1 FROM refunds rf WHERE rf.order_id = o.id AND rf.state = 'failed')
  OR (o.state = 'delivered' AND pr.status = 'failed'))`;

/**
 * Paid orders that need a person, counted by attention code, over every order (not the newest
 * page): what the heartbeat and the "paid order needing attention" alert report. Orders whose money
 * went back in full (refunded) no longer count, so the alert says "recovered" once they are settled.
 */
export function attentionCounts(db: Db, now = Date.now()): Record<string, number> {
  const rows = db.prepare(`${JOINED_SQL} WHERE o.state != 'refunded' AND ${MONEY_OPEN_SQL}`).all() as Joined[];
  const out: Record<string, number> = {};
  for (const o of rows) for (const a of attentionOf(o, now)) if (a !== 'GENERATION_FAILED') out[a] = (out[a] ?? 0) + 1;
  return out;
}

/**
 * Recent orders, the ones that need the operator first (then newest first). By default only orders
 * that involved money or a delivery, plus abandoned ones that need a look; `all` lists every order.
 */
export function listOrders(db: Db, opts: { all?: boolean; limit?: number } = {}): AdminOrderRow[] {
  const limit = Math.min(500, Math.max(1, opts.limit ?? 200));
  const marks = MONEY_STATES.map(() => '?').join(',');
  const where = opts.all ? '' : `WHERE o.state IN (${marks}) OR (o.state = 'abandoned' AND o.generation_status = 'failed') OR ${MONEY_OPEN_SQL}`;
  const rows = db.prepare(`${JOINED_SQL} ${where} ORDER BY o.created_at DESC LIMIT ?`).all(...(opts.all ? [] : MONEY_STATES), limit) as Joined[];
  // Unsettled money is listed however old it is (few by nature): it must not fall off the page.
  const open = db.prepare(`${JOINED_SQL} WHERE ${MONEY_OPEN_SQL} ORDER BY o.created_at DESC LIMIT 500`).all() as Joined[];
  const seen = new Set(rows.map((o) => o.id));
  const out = [...rows, ...open.filter((o) => !seen.has(o.id))].map((o) => toRow(o));
  // Stable: attention first, each group newest first (the SQL order).
  return [...out.filter((r) => r.attention.length > 0), ...out.filter((r) => r.attention.length === 0)];
}

export function orderRow(db: Db, orderId: string): AdminOrderRow | null {
  const o = db.prepare(`${JOINED_SQL} WHERE o.id = ?`).get(orderId) as Joined | undefined;
  return o ? toRow(o) : null;
}

/** Local midnight of the day `at` falls in (the kiosk's clock is the mall's clock). */
export function startOfLocalDay(at: Date): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate());
}

const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Refunds the operator started today (local day), in fen: what the daily cap counts. */
export function adminRefundsTodayFen(db: Db, now = new Date()): number {
  const since = startOfLocalDay(now).toISOString();
  const r = db.prepare("SELECT COALESCE(SUM(amount_fen), 0) AS s FROM refunds WHERE actor = 'admin' AND state != 'failed' AND created_at >= ?").get(since) as {
    s: number;
  };
  return r.s;
}

export function salesReport(db: Db, opts: { capFen: number; now?: Date }): SalesReport {
  const now = opts.now ?? new Date();
  const today = startOfLocalDay(now);
  const weekStart = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  // A sale is a paid trade; it counts on the day it was paid (payments.updated_at when it became paid).
  const paid = db
    .prepare("SELECT p.amount_fen, p.updated_at AS at, o.package_id FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.state = 'paid' AND p.updated_at >= ?")
    .all(weekStart.toISOString()) as { amount_fen: number; at: string; package_id: string | null }[];
  const refunds = db
    .prepare("SELECT amount_fen, state, updated_at AS at FROM refunds WHERE created_at >= ? OR state IN ('pending', 'processing')")
    .all(weekStart.toISOString()) as { amount_fen: number; state: RefundRow['state']; at: string }[];
  const free = (
    db
      .prepare("SELECT COUNT(*) AS n FROM orders WHERE amount_fen = 0 AND state IN ('paid', 'delivering', 'delivered') AND created_at >= ?")
      .get(today.toISOString()) as { n: number }
  ).n;

  const days: SalesReport['days'] = [];
  for (let i = 6; i >= 0; i--) {
    const d0 = new Date(today.getFullYear(), today.getMonth(), today.getDate() - i);
    const d1 = new Date(today.getFullYear(), today.getMonth(), today.getDate() - i + 1);
    const inDay = (iso: string) => {
      const t = Date.parse(iso);
      return t >= d0.getTime() && t < d1.getTime();
    };
    const sales = paid.filter((p) => inDay(p.at));
    days.push({
      date: localDate(d0),
      orders: sales.length,
      grossFen: sales.reduce((s, p) => s + p.amount_fen, 0),
      refundsFen: refunds.filter((r) => r.state === 'success' && inDay(r.at)).reduce((s, r) => s + r.amount_fen, 0),
    });
  }
  const todayRow = days[days.length - 1]!;
  const byPackage = new Map<string, { orders: number; grossFen: number }>();
  for (const p of paid) {
    const id = p.package_id ?? '?';
    const e = byPackage.get(id) ?? { orders: 0, grossFen: 0 };
    e.orders++;
    e.grossFen += p.amount_fen;
    byPackage.set(id, e);
  }
  const done = refunds.filter((r) => r.state === 'success');
  return {
    today: { orders: todayRow.orders, grossFen: todayRow.grossFen, refundsFen: todayRow.refundsFen, netFen: todayRow.grossFen - todayRow.refundsFen, free },
    days,
    byPackage: [...byPackage.entries()].map(([packageId, v]) => ({ packageId, ...v })).sort((a, b) => b.grossFen - a.grossFen),
    refunds: {
      count: done.length,
      amountFen: done.reduce((s, r) => s + r.amount_fen, 0),
      pending: refunds.filter((r) => r.state === 'pending' || r.state === 'processing').length,
    },
    refundCap: { capFen: opts.capFen, usedTodayFen: adminRefundsTodayFen(db, now) },
  };
}

/** A CSV field: quoted, with a leading ' on anything a spreadsheet would run as a formula. */
export function csvField(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r']/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

const yuan = (fen: number | null) => (fen === null ? '' : (fen / 100).toFixed(2));

/** Orders with money of the last `days` days, one line each; UTF-8 with BOM so Excel reads the Chinese. */
export function ordersCsv(db: Db, opts: { days: number; now?: Date }): string {
  const now = opts.now ?? new Date();
  const since = new Date(startOfLocalDay(now).getTime() - (opts.days - 1) * 86400_000).toISOString();
  const marks = MONEY_STATES.map(() => '?').join(',');
  const rows = db.prepare(`${JOINED_SQL} WHERE o.state IN (${marks}) AND o.created_at >= ? ORDER BY o.created_at`).all(...MONEY_STATES, since) as Joined[];
  const header = ['order_id', 'created_at', 'state', 'package', 'amount_yuan', 'paid_yuan', 'out_trade_no', 'transaction_id', 'print', 'refund_yuan', 'refund_state', 'refund_reason', 'refund_by'];
  const lines = [header.join(',')];
  for (const o of rows) {
    lines.push(
      [
        o.id,
        o.created_at,
        o.state,
        o.package_id,
        yuan(o.amount_fen),
        yuan(o.paid_fen),
        o.paid_trade,
        o.transaction_id,
        printState(o.print_status),
        yuan(o.refund_amount),
        o.refund_state,
        o.refund_reason,
        o.refund_actor,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}
