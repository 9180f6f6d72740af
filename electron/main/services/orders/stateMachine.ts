// The order's life (ARCHITECTURE.md §5). Every transition is one SQLite transaction, committed
// before the side effect it leads to, and recorded in order_transitions for the audit trail.
import type { OrderState } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { tx, type Db } from '../store/db';

const allowed: Record<OrderState, readonly OrderState[]> = {
  created: ['checked', 'abandoned'],
  // With the free try spent for today the family buys first: the pictures are made after payment.
  checked: ['created', 'generating', 'awaiting_payment', 'abandoned'],
  // A failed generation goes back to checked so the family can try again for free.
  generating: ['generated', 'checked', 'abandoned'],
  // Try, then buy: the one watermarked try is on screen with the packages; choosing one pays for it
  // (a free package skips awaiting_payment). After payment the other variants are made and picked.
  generated: ['picked', 'generating', 'awaiting_payment', 'paid', 'abandoned'],
  picked: ['awaiting_payment', 'paid', 'abandoned'],
  awaiting_payment: ['paid', 'payment_closed'],
  // After a cancel the family may choose another package; a payment that still turns up is refunded.
  payment_closed: ['awaiting_payment', 'abandoned', 'refund_pending'],
  paid: ['delivering'],
  delivering: ['delivered', 'delivery_failed'],
  // The operator may refund a delivered order (a complaint); the system never does.
  delivered: ['refund_pending'],
  // The operator may retry a failed delivery (reprint) instead of refunding.
  delivery_failed: ['refund_pending', 'delivering'],
  refund_pending: ['refunded'],
  refunded: [],
  abandoned: ['refund_pending'],
};

/** States in which nothing more will happen to the order. */
export const finalStates: readonly OrderState[] = ['delivered', 'refunded', 'abandoned', 'payment_closed'];
/** States in which the customer has not paid and the kiosk may still give up on the order. */
export const prePaymentStates: readonly OrderState[] = ['created', 'checked', 'generating', 'generated', 'picked'];

export function canTransition(from: OrderState, to: OrderState): boolean {
  return allowed[from].includes(to);
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
