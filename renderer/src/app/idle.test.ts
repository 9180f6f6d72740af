import { describe, expect, it } from 'vitest';
import type { OrderState } from '../../../electron/shared/contract';
import { idleDeadline, idleResetAllowed, settleCallFor } from './idle';

const T0 = Date.parse('2026-02-01T10:00:00Z');
const order = (state: OrderState, expiresAt?: string) => ({ state, payment: expiresAt ? { free: false, expiresAt } : null });

describe('idle timeout rules', () => {
  it('returns to attract after idleTimeoutSec without a touch', () => {
    expect(idleDeadline({ phase: 'style', order: order('created'), lastActivityMs: T0, idleTimeoutSec: 90 })).toBe(T0 + 90_000);
    expect(idleDeadline({ phase: 'consent', order: null, lastActivityMs: T0, idleTimeoutSec: 60 })).toBe(T0 + 60_000);
  });

  it('never while a paid order is being delivered', () => {
    for (const state of ['paid', 'delivering'] as const) {
      expect(idleResetAllowed('deliver', state)).toBe(false);
      expect(idleDeadline({ phase: 'pay', order: order(state), lastActivityMs: T0, idleTimeoutSec: 60 })).toBeNull();
    }
    // Once delivered, the next family may have the kiosk.
    expect(idleResetAllowed('deliver', 'delivered')).toBe(true);
  });

  it('has nothing to time out on the attract loop or the operator screen', () => {
    expect(idleResetAllowed('attract', null)).toBe(false);
    expect(idleResetAllowed('admin', null)).toBe(false);
  });

  it('keeps the payment QR up until it expires while the family pays on the phone', () => {
    const expires = new Date(T0 + 300_000).toISOString();
    expect(idleDeadline({ phase: 'pay', order: order('awaiting_payment', expires), lastActivityMs: T0, idleTimeoutSec: 60 })).toBe(T0 + 305_000);
    const soon = new Date(T0 + 10_000).toISOString();
    expect(idleDeadline({ phase: 'pay', order: order('awaiting_payment', soon), lastActivityMs: T0, idleTimeoutSec: 60 })).toBe(T0 + 60_000);
  });

  it('a broken timeout setting cannot bounce customers every second', () => {
    expect(idleDeadline({ phase: 'product', order: null, lastActivityMs: T0, idleTimeoutSec: 0 })).toBe(T0 + 30_000);
  });

  it('abandons orders before payment, cancels a pending payment, leaves the rest alone', () => {
    for (const s of ['created', 'checked', 'generating', 'generated', 'picked'] as const) expect(settleCallFor(s)).toBe('order:abandon');
    expect(settleCallFor('awaiting_payment')).toBe('payment:cancel');
    for (const s of ['paid', 'delivering', 'delivered', 'abandoned', 'payment_closed', 'refunded'] as const) expect(settleCallFor(s)).toBeNull();
    expect(settleCallFor(null)).toBeNull();
  });
});
