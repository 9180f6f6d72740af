// Issue 13.3: a paid order is never stranded. A delivery that throws (a full disk while the final
// picture is written) is retried by the sweeper with back-off and then refunded; meanwhile the
// operator sees it flagged and may retry or refund it from the admin screen.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enospc, setWriteFault } from '../../infra/files';
import { harness, solidJpeg, testCatalog, until, type Harness } from '../../testing/orders';
import { CatalogState } from '../admin/catalogOverrides';
import { listOrders } from '../admin/reports';
import { AdminService } from '../admin/service';
import { createPaperCounter } from '../print/paperCounter';
import { PaymentError, type PaymentProvider } from '../payment/types';
import type { SimulatedPayment } from '../payment/simulated';
import type { OrderService } from './index';

let h: Harness | undefined;
afterEach(async () => {
  setWriteFault(null);
  await h?.close();
  h = undefined;
});

/** Consent → photo → variants → pick → pay (simulated page), with the given package. */
async function paidOrder(hh: Harness, s: OrderService, packageId: string): Promise<string> {
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => hh.repo.order(o.id)?.state === 'generated', 'variants');
  await s.generation.pick(o.id, 0);
  await s.money.start(o.id, packageId, async () => ({ ready: true }));
  const t = hh.db.prepare('SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(o.id) as {
    token: string;
  };
  hh.sim.confirm(t.token);
  return o.id;
}

/** A full disk for the delivered picture, `times` writes long (Infinity: until it is lifted). */
function fullDiskForFinal(times: number): { hits: () => number } {
  let hits = 0;
  setWriteFault((path) => {
    if (!path.endsWith('final.jpg') || hits >= times) return null;
    hits++;
    return enospc(path);
  });
  return { hits: () => hits };
}

function adminOf(hh: Harness): AdminService {
  const config = hh.service.deps.config;
  return new AdminService({
    orders: hh.service,
    config,
    paths: hh.paths,
    catalog: new CatalogState(hh.db, testCatalog),
    secrets: null,
    printer: hh.printer,
    printLayout: hh.service.deps.printLayout,
    paper: createPaperCounter({ file: join(hh.dir, 'paper.json'), capacity: 50, warnBelow: 5 }),
    activeProviders: { ...config.providers },
    exit: () => undefined,
    logFile: () => null,
  });
}

describe('a delivery that throws (ENOSPC while writing the delivery)', () => {
  it('is flagged for the operator and retried by the sweeper after its back-off, then delivered', async () => {
    h = harness({ timing: { deliveryBackoffMs: [150, 150, 150] } });
    const disk = fullDiskForFinal(1);
    const orderId = await paidOrder(h, h.service, 'print');
    await until(() => (h!.repo.order(orderId)?.delivery_attempts ?? 0) === 1, 'the failed attempt is counted');
    expect(h.repo.order(orderId)?.state).toBe('delivering');
    expect(h.repo.order(orderId)?.delivery_error).toBe('ENOSPC');
    const row = listOrders(h.db).find((r) => r.id === orderId)!;
    expect(row.attention).toContain('DELIVERY_STUCK');
    expect(row.canRefund).toBe(true);
    // Not yet due: the sweeper leaves it alone.
    h.service.sweep();
    expect(h.service.delivery.isRunning(orderId)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    h.service.sweep();
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered on the retry');
    expect(disk.hits()).toBe(1);
    expect(h.printer.submitted).toHaveLength(1);
  });

  it('is refunded once the back-off is used up: the paid money goes back, exactly once', async () => {
    h = harness({ timing: { deliveryBackoffMs: [10, 10] } });
    fullDiskForFinal(Infinity);
    const orderId = await paidOrder(h, h.service, 'digital');
    await until(async () => {
      h!.service.sweep();
      await h!.service.delivery.idle();
      return h!.repo.order(orderId)?.state === 'refunded';
    }, 'refunded after the retries');
    expect(h.repo.order(orderId)?.delivery_attempts).toBe(3);
    const refunds = h.db.prepare('SELECT amount_fen, state FROM refunds WHERE order_id = ?').all(orderId);
    expect(refunds).toEqual([{ amount_fen: 990, state: 'success' }]);
    expect(h.repo.order(orderId)?.notice).toContain('退回');
    h.service.sweep();
    await h.service.delivery.idle();
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM refunds WHERE order_id = ?').get(orderId)).toEqual({ n: 1 });
  });

  it('a retry time pushed far ahead by a clock set back is due at once', async () => {
    h = harness({ timing: { deliveryBackoffMs: [60_000] } });
    fullDiskForFinal(1);
    const orderId = await paidOrder(h, h.service, 'digital');
    await until(() => (h!.repo.order(orderId)?.delivery_attempts ?? 0) === 1, 'the failed attempt');
    // The wall clock jumped back an hour after the failure was recorded.
    h.repo.update(orderId, { delivery_retry_at: new Date(Date.now() + 3600_000).toISOString() });
    h.service.sweep();
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
  });

  it('the operator can refund a stuck delivery from the admin screen (it used to answer BAD_STATE)', async () => {
    h = harness({ timing: { deliveryBackoffMs: [3600_000] } });
    fullDiskForFinal(Infinity);
    const orderId = await paidOrder(h, h.service, 'print');
    await until(() => (h!.repo.order(orderId)?.delivery_attempts ?? 0) === 1, 'the failed attempt');
    const admin = adminOf(h);
    const row = await admin.refund(orderId, '顾客等不及了');
    expect(['refund_pending', 'refunded']).toContain(row.state);
    await until(() => h!.repo.order(orderId)?.state === 'refunded', 'refunded');
    expect(h.db.prepare('SELECT amount_fen, actor FROM refunds WHERE order_id = ?').all(orderId)).toEqual([{ amount_fen: 1990, actor: 'admin' }]);
  });

  it('the operator can retry a stuck delivery now ("reprint" on a stuck order)', async () => {
    h = harness({ timing: { deliveryBackoffMs: [3600_000] } });
    fullDiskForFinal(1);
    const orderId = await paidOrder(h, h.service, 'print');
    await until(() => (h!.repo.order(orderId)?.delivery_attempts ?? 0) === 1, 'the failed attempt');
    expect(listOrders(h.db).find((r) => r.id === orderId)?.canReprint).toBe(true);
    await expect(adminOf(h).reprint(orderId)).resolves.toEqual({ printed: true });
    expect(h.repo.order(orderId)?.state).toBe('delivered');
  });
});

describe('a second scan after a close that failed (found by the fault soak)', () => {
  it("a retried close of the old trade does not close the family's new QR: the new payment is delivered, the old one refunded", async () => {
    let failClose = true;
    h = harness({
      payment: (sim: SimulatedPayment): PaymentProvider => ({
        name: 'flaky',
        create: (o) => sim.create(o),
        query: (n) => sim.query(n),
        close: async (n) => {
          if (failClose) throw new PaymentError('NETWORK', 'connection reset', 'retry');
          return sim.close(n);
        },
        refund: (r) => sim.refund(r),
        queryRefund: (n) => sim.queryRefund(n),
      }),
    });
    const s = h.service;
    const o = await s.session.acceptConsent('zh');
    await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
    await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
    await s.generation.startTry(o.id);
    await until(() => h!.repo.order(o.id)?.state === 'generated', 'variants');
    await s.generation.pick(o.id, 0);
    await s.money.start(o.id, 'digital', async () => ({ ready: true }));
    expect((await s.money.cancel(o.id)).state).toBe('payment_closed'); // close pending
    // The family starts again: a new trade, a new QR.
    expect((await s.money.start(o.id, 'digital', async () => ({ ready: true }))).state).toBe('awaiting_payment');
    const [first, second] = h.repo.payments(o.id);
    // The sweeper retries the old trade's close, and it fails again on the network.
    await s.money.closeTrade(first!.out_trade_no, 'retry');
    expect(h.repo.order(o.id)?.state).toBe('awaiting_payment');
    const token = (no: string) => (h!.db.prepare('SELECT token FROM sim_trades WHERE out_trade_no = ?').get(no) as { token: string }).token;
    h.sim.confirm(token(first!.out_trade_no)); // the old QR, scanned by a relative's phone
    h.sim.confirm(token(second!.out_trade_no)); // the new QR
    await until(() => h!.repo.order(o.id)?.state === 'delivered', 'delivered on the new payment');
    failClose = false;
    s.sweep();
    await until(() => h!.repo.refundOf(first!.out_trade_no)?.state === 'success', 'the old payment refunded');
    expect(h.repo.refundOf(second!.out_trade_no)).toBeUndefined();
    expect(h.repo.order(o.id)?.state).toBe('delivered');
  });
});
