// The order's life (ARCHITECTURE.md §5). Every transition is one SQLite transaction, committed
// before the side effect it leads to, and recorded in order_transitions for the audit trail.
import { finalStates, prePaymentStates, STATES, type OrderState } from '../../../shared/orderStates';
import { KioskFailure } from '../../../shared/result';
import { tx, type Db } from '../store/db';

/** States in which nothing more will happen to the order; before payment. Both from orderStates.ts. */
export { finalStates, prePaymentStates };

export function canTransition(from: OrderState, to: OrderState): boolean {
  return STATES[from].next.includes(to);
}

export interface TransitionOptions {
  /** Only move when the order is in one of these states (guards double taps and races). */
  from?: readonly OrderState[];
  reason?: string;
  /** Column updates written in the same transaction (e.g. package_id, amount_fen). */
  set?: Record<string, string | number | null>;
  /** More statements that must commit together with the state change. */
  also?: () => void;
}

const columnName = /^[a-z_]+$/;

/** Moves the order to `to` atomically; returns the previous state. */
export function transition(db: Db, orderId: string, to: OrderState, opts: TransitionOptions = {}): OrderState {
  return tx(db, () => {
    const row = db.prepare('SELECT state FROM orders WHERE id = ?').get(orderId) as { state: OrderState } | undefined;
    if (!row) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');
    const from = row.state;
    if (opts.from && !opts.from.includes(from)) {
      throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续', false);
    }
    if (!canTransition(from, to)) throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续', false);
    const now = new Date().toISOString();
    const sets = ['state = ?', 'updated_at = ?'];
    const values: (string | number | null)[] = [to, now];
    for (const [k, v] of Object.entries(opts.set ?? {})) {
      if (!columnName.test(k)) throw new Error(`bad column ${k}`);
      sets.push(`${k} = ?`);
      values.push(v);
    }
    if (finalStates.includes(to) || to === 'refunded') sets.push(`ended_at = '${now}'`);
    db.prepare(`UPDATE orders SET ${sets.join(', ')} WHERE id = ?`).run(...values, orderId);
    db.prepare('INSERT INTO order_transitions (order_id, from_state, to_state, reason, at) VALUES (?, ?, ?, ?, ?)').run(
      orderId,
      from,
      to,
      opts.reason ?? null,
      now,
    );
    opts.also?.();
    return from;
  });
}
