// Money the kiosk cannot settle on its own reaches the operator: on the admin screen's "需要处理"
// list, and as the "paid order needing attention" alert, however old the order and whatever its
// state — and the alert clears once the money is settled.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { healthReport } from '../../testing/fleet';
import { createSecretStore } from '../config/secrets';
import { createPaperCounter } from '../print/paperCounter';
import { CatalogState } from './catalogOverrides';
import { AdminService } from './service';
import { harness, solidJpeg, testCatalog, until, type Harness } from '../../testing/orders';
import { currentConditions } from '../fleet/alerts/conditions';
import { Outcomes } from '../fleet/outcomes';
import { attentionCounts, listOrders } from './reports';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function orderAtPayment(hh: Harness): Promise<{ orderId: string; outTradeNo: string; token: string }> {
  const s = hh.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(3), 'camera');
  await s.generation.startTry(o.id);
  await until(() => hh.repo.order(o.id)?.state === 'generated', 'variants');
  await s.generation.pick(o.id, 0);
  await s.money.start(o.id, 'print', async () => ({ ready: true }));
  const t = hh.db.prepare('SELECT t.out_trade_no, t.token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(o.id) as { out_trade_no: string; token: string };
  return { orderId: o.id, outTradeNo: t.out_trade_no, token: t.token };
}

async function delivered(hh: Harness): Promise<string> {
  const { orderId, token } = await orderAtPayment(hh);
  hh.sim.confirm(token);
  await until(() => ['delivered', 'refunded'].includes(hh.repo.order(orderId)?.state ?? ''), 'delivered (or refunded)');
  return orderId;
}

function adminOf(hh: Harness): AdminService {
  const s = hh.service;
  return new AdminService({
    orders: s,
    config: s.deps.config,
    paths: hh.paths,
    catalog: new CatalogState(hh.db, testCatalog),
    secrets: createSecretStore({ file: join(hh.dir, 'secrets.json') }),
    printer: hh.printer,
    printLayout: s.deps.printLayout,
    paper: createPaperCounter({ file: join(hh.dir, 'paper.json'), capacity: 50, warnBelow: 5 }),
    activeProviders: { ...s.deps.config.providers },
    exit: () => undefined,
    logFile: () => null,
  });
}

const alertKeys = (attention: Record<string, number>) =>
  currentConditions({ health: healthReport(), outcomes: new Outcomes(), windowMs: 900_000, successRateBelow: 0.99, minCalls: 3, paperLowAt: null, attention, crashRestart: false });

describe('paid orders needing attention', () => {
  it('a late payment for the wrong amount on an order the family had left: listed, counted, alerted', async () => {
    h = harness();
    const { orderId, outTradeNo, token } = await orderAtPayment(h);
    // The family walked away and the close did not get through (network); then someone pays, and the
    // provider reports another amount than asked.
    h.db.prepare("UPDATE orders SET state = 'abandoned' WHERE id = ?").run(orderId);
    h.db.prepare('UPDATE sim_trades SET amount_fen = 1 WHERE out_trade_no = ?').run(outTradeNo);
    h.sim.confirm(token);
    await until(() => h!.repo.payment(outTradeNo)?.state === 'disputed', 'trade disputed');
    expect(h.repo.order(orderId)?.state).toBe('abandoned');

    const row = listOrders(h.db).find((r) => r.id === orderId);
    expect(row?.attention).toEqual(['AMOUNT_MISMATCH']);
    expect(listOrders(h.db)[0]!.id).toBe(orderId);
    expect(attentionCounts(h.db)).toEqual({ AMOUNT_MISMATCH: 1 });
    const alert = alertKeys(attentionCounts(h.db)).find((c) => c.key === 'paid_order_attention');
    expect(alert?.title).toBe('1 笔已付款订单需要处理');
    expect(alert?.lines[0]).toBe('AMOUNT_MISMATCH × 1');
    expect(row?.canResolve).toBe(true);

    // The operator refunds it in the merchant platform and marks it here: no longer needs attention,
    // the alert can recover, and the audit log says who did what.
    const admin = adminOf(h);
    const after = admin.resolveDispute(orderId, '已在商户平台全额退款');
    expect(after).toMatchObject({ attention: [], canResolve: false });
    expect(attentionCounts(h.db)).toEqual({});
    expect(alertKeys(attentionCounts(h.db)).map((c) => c.key)).not.toContain('paid_order_attention');
    const audit = h.db.prepare("SELECT actor, details_json FROM audit_log WHERE order_id = ? AND action = 'dispute_resolved'").all(orderId) as { actor: string; details_json: string }[];
    expect(audit.map((a) => [a.actor, JSON.parse(a.details_json) as unknown])).toEqual([['admin', { outTradeNo, provider: 'simulated', note: '已在商户平台全额退款' }]]);
    expect(() => admin.resolveDispute(orderId, '再来一次')).toThrow(expect.objectContaining({ code: 'NOTHING_TO_RESOLVE' }));
    // The kiosk moved no money: the trade is still the provider's business only.
    expect(h.repo.payment(outTradeNo)?.state).toBe('disputed');
  });

  it('an old unsettled order stays on the list and in the count beyond the newest page', async () => {
    h = harness();
    const { orderId, outTradeNo, token } = await orderAtPayment(h);
    h.db.prepare('UPDATE sim_trades SET amount_fen = 1 WHERE out_trade_no = ?').run(outTradeNo);
    h.sim.confirm(token);
    await until(() => h!.repo.payment(outTradeNo)?.state === 'disputed', 'trade disputed');
    h.db.prepare("UPDATE orders SET created_at = '2025-01-01T00:00:00.000Z' WHERE id = ?").run(orderId);
    const newer = await delivered(h);
    const page = listOrders(h.db, { limit: 1 });
    expect(page.map((r) => r.id)).toEqual([orderId, newer]);
    expect(page[0]!.attention).toEqual(['AMOUNT_MISMATCH']);
    expect(attentionCounts(h.db)).toEqual({ AMOUNT_MISMATCH: 1 });
  });

  it('a print that failed for good was refunded: still shown for a reprint, but no longer an alert', async () => {
    h = harness();
    h.printer.failNext = 10;
    const orderId = await delivered(h);
    expect(h.repo.order(orderId)?.state).toBe('refunded');
    expect(listOrders(h.db).find((r) => r.id === orderId)?.attention).toContain('PRINT_FAILED');
    expect(attentionCounts(h.db)).toEqual({});
    expect(alertKeys(attentionCounts(h.db)).map((c) => c.key)).not.toContain('paid_order_attention');
  });
});
