// When an untouched kiosk goes back to the attract loop, and what it must settle first.
import type { OrderState, OrderView } from '../../../electron/shared/contract';
import { prePaymentStates, statesWhere } from '../../../electron/shared/orderStates';
import type { Phase } from './phase';

/** A paid order is being delivered: walking away must never cancel or hide it. */
const PROTECTED: ReadonlySet<OrderState> = new Set(statesWhere('idleProtected'));
/** States before payment: the order is given up when the family walks away. */
const ABANDONABLE: ReadonlySet<OrderState> = new Set(prePaymentStates);

/** The "still there?" warning shows this long before the reset. */
export const IDLE_WARNING_MS = 10_000;
/** A customer who is paying on the phone does not touch the screen: keep the QR until it expires, plus this. */
export const PAYMENT_GRACE_MS = 5_000;

export function idleResetAllowed(phase: Phase, orderState: OrderState | null): boolean {
  if (phase === 'attract' || phase === 'admin') return false;
  if (orderState && PROTECTED.has(orderState)) return false;
  return true;
}

export interface IdleInput {
  phase: Phase;
  order: Pick<OrderView, 'state' | 'payment'> | null;
  lastActivityMs: number;
  idleTimeoutSec: number;
}

/** Epoch ms at which the screen returns to attract, or null while it must not. */
export function idleDeadline({ phase, order, lastActivityMs, idleTimeoutSec }: IdleInput): number | null {
  if (!idleResetAllowed(phase, order?.state ?? null)) return null;
  // A misconfigured 0 or negative timeout would bounce every customer; 30 s is the floor.
  let deadline = lastActivityMs + Math.max(30, idleTimeoutSec) * 1000;
  if (order?.state === 'awaiting_payment' && order.payment?.expiresAt) {
    const expires = Date.parse(order.payment.expiresAt);
    if (Number.isFinite(expires)) deadline = Math.max(deadline, expires + PAYMENT_GRACE_MS);
  }
  return deadline;
}

/** What to call before leaving an unfinished order behind. */
export function settleCallFor(state: OrderState | null): 'order:abandon' | 'payment:cancel' | null {
  if (state === null) return null;
  if (ABANDONABLE.has(state)) return 'order:abandon';
  if (state === 'awaiting_payment') return 'payment:cancel';
  return null;
}
