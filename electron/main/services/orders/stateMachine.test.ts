import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderState } from '../../../shared/contract';
import { openDb, type Db } from '../store/db';
import { OrdersRepo } from './repo';
import { canTransition, transition } from './stateMachine';

let dir: string;
let db: Db;
let repo: OrdersRepo;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-sm-'));
  db = openDb(join(dir, 'k.sqlite'));
  repo = new OrdersRepo(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('order state machine', () => {
  it('follows the designed happy path and its side exits', () => {
    const path: OrderState[] = ['created', 'checked', 'generating', 'generated', 'picked', 'awaiting_payment', 'paid', 'delivering', 'delivered'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('awaiting_payment', 'payment_closed')).toBe(true);
    expect(canTransition('delivering', 'delivery_failed')).toBe(true);
    expect(canTransition('delivery_failed', 'refund_pending')).toBe(true);
    expect(canTransition('refund_pending', 'refunded')).toBe(true);
  });

  it('never lets money states go backwards or skip payment', () => {
    expect(canTransition('paid', 'awaiting_payment')).toBe(false);
    expect(canTransition('paid', 'abandoned')).toBe(false);
    expect(canTransition('delivering', 'abandoned')).toBe(false);
    expect(canTransition('awaiting_payment', 'delivering')).toBe(false);
    // generated → paid exists only for a free package (money.start checks the price); nothing else skips payment.
    expect(canTransition('generating', 'paid')).toBe(false);
    expect(canTransition('checked', 'paid')).toBe(false);
    expect(canTransition('refunded', 'delivering')).toBe(false);
    for (const s of OrderState.options) expect(canTransition('refunded', s)).toBe(false);
  });

  it('writes the state and its audit row in one transaction, or neither', () => {
    const o = repo.createOrder('zh');
    transition(db, o.id, 'checked', { reason: 'photos ok' });
    expect(() =>
      transition(db, o.id, 'generating', {
        also: () => {
          throw new Error('power cut');
        },
      }),
    ).toThrow('power cut');
    expect(repo.order(o.id)?.state).toBe('checked');
    const rows = db.prepare('SELECT from_state, to_state FROM order_transitions WHERE order_id = ?').all(o.id);
    expect(rows).toEqual([{ from_state: 'created', to_state: 'checked' }]);
  });

  it('refuses a transition from an unexpected state (a double tap) with a kiosk message', () => {
    const o = repo.createOrder('zh');
    expect(() => transition(db, o.id, 'generating')).toThrow(/操作已失效/);
    transition(db, o.id, 'checked');
    expect(() => transition(db, o.id, 'generating', { from: ['generated'] })).toThrow(/操作已失效/);
    expect(repo.order(o.id)?.state).toBe('checked');
  });

  it('keeps committed data across a reopen (WAL, synchronous=FULL)', () => {
    const o = repo.createOrder('en');
    transition(db, o.id, 'checked');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
    db = openDb(join(dir, 'k.sqlite'));
    repo = new OrdersRepo(db);
    expect(repo.order(o.id)?.state).toBe('checked');
  });
});
