// The one table of order states: consistent with itself, and the lists the rest of the kiosk used
// to keep by hand come out of it unchanged.
import { describe, expect, it } from 'vitest';
import { OrderState } from './contract';
import { finalStates, ORDER_STATES, prePaymentStates, STATES, statesWhere } from './orderStates';

describe('order states (one module)', () => {
  it('every transition leads to a known state, and only final states (and refunds) are dead ends', () => {
    for (const s of ORDER_STATES) {
      for (const n of STATES[s].next) expect(ORDER_STATES).toContain(n);
      if (STATES[s].next.length === 0) expect(STATES[s].final).toBe(true);
    }
    expect(OrderState.options).toEqual([...ORDER_STATES]);
  });

  it('every paid state can still end delivered or refunded (no paid dead end)', () => {
    const reach = (from: (typeof ORDER_STATES)[number]): Set<string> => {
      const seen = new Set<string>([from]);
      const todo = [from];
      while (todo.length) {
        for (const n of STATES[todo.pop()!].next) {
          if (seen.has(n)) continue;
          seen.add(n);
          todo.push(n);
        }
      }
      return seen;
    };
    for (const s of statesWhere('paidPicture')) {
      const r = reach(s);
      expect(r.has('delivered') || r.has('refunded'), s).toBe(true);
      expect(r.has('refunded'), `${s} can always be refunded`).toBe(true);
    }
  });

  it('derives the lists the kiosk used to repeat', () => {
    expect(finalStates).toEqual(['delivered', 'abandoned', 'payment_closed', 'refunded']);
    expect(prePaymentStates).toEqual(['created', 'checked', 'generating', 'generated', 'picked']);
    expect(statesWhere('idleProtected')).toEqual(['paid', 'delivering']);
    expect(statesWhere('paidPicture')).toEqual(['paid', 'delivering', 'delivered', 'delivery_failed', 'refund_pending']);
    expect(statesWhere('reprintable').sort()).toEqual(['delivered', 'delivery_failed', 'refund_pending', 'refunded']);
    expect(statesWhere('photosDone').sort()).toEqual(['abandoned', 'delivered', 'delivery_failed', 'payment_closed', 'refund_pending', 'refunded']);
    expect(statesWhere('takesPhotos')).toEqual(['created', 'checked']);
  });
});
