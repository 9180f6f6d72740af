// Issue 12.4 / 13.2: calls on a trade go to the provider that created it; every paid trade of an
// order is settled (two paid trades whose print fails: both refunded, also after the reconciler and
// from the admin screen); a paid answer without the amount asked for is never taken as paid.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretStore } from '../config/secrets';
import { AdminService } from '../admin/service';
import { CatalogState } from '../admin/catalogOverrides';
import { createPaperCounter } from '../print/paperCounter';
import { PaymentError, type PaymentProvider, type TradeStatus } from '../payment/types';
import type { SimulatedPayment } from '../payment/simulated';
import { FakePrinter, harness, solidJpeg, testCatalog, until, type Harness } from '../../testing/orders';
import { OrderService } from './index';
import type { OrderDeps } from './context';

let h: Harness | undefined;
const extra: OrderService[] = [];
afterEach(async () => {
  for (const s of extra.splice(0)) await s.close();
  await h?.close();
  h = undefined;
});

async function pickedOrder(s: OrderService): Promise<string> {
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.session.startGeneration(o.id);
  await until(() => s.deps.repo.order(o.id)?.state === 'generated', 'variants');
  await s.session.pick(o.id, 1);
  return o.id;
}

const tokenOfTrade = (hh: Harness, outTradeNo: string) =>
  (hh.db.prepare('SELECT token FROM sim_trades WHERE out_trade_no = ?').get(outTradeNo) as { token: string }).token;

/**
 * A payment service provider of its own name that keeps its books in the simulated PSP and records
 * every call it receives, so a test can tell which provider a trade was asked of.
 */
class RecordingProvider implements PaymentProvider {
  readonly calls: { op: string; no: string }[] = [];
  failClose = false;
  failRefund = 0;
  /** Rewrites what query answers (e.g. drop the amount) to play a misbehaving provider. */
  tamper: ((s: TradeStatus) => TradeStatus) | null = null;
  constructor(
    readonly name: string,
    private readonly sim: SimulatedPayment,
  ) {}
  create(o: Parameters<PaymentProvider['create']>[0]) {
    this.calls.push({ op: 'create', no: o.outTradeNo });
    return this.sim.create(o);
  }
  async query(no: string) {
    this.calls.push({ op: 'query', no });
    const s = await this.sim.query(no);
    return this.tamper ? this.tamper(s) : s;
  }
  async close(no: string) {
    this.calls.push({ op: 'close', no });
    if (this.failClose) throw new PaymentError('NETWORK_ERROR', 'connection reset', 'retry');
    return this.sim.close(no);
  }
  async refund(r: Parameters<PaymentProvider['refund']>[0]) {
    this.calls.push({ op: 'refund', no: r.outTradeNo });
    if (this.failRefund-- > 0) throw new PaymentError('NETWORK_ERROR', 'connection reset', 'retry');
    return this.sim.refund(r);
  }
  queryRefund(no: string, outTradeNo: string) {
    this.calls.push({ op: 'queryRefund', no: outTradeNo });
    return this.sim.queryRefund(no);
  }
  on(no: string): string[] {
    return this.calls.filter((c) => c.no === no).map((c) => c.op);
  }
}

/** An order service on the harness's database with another payment set-up: a restart with a changed config. */
function serviceWith(hh: Harness, over: Partial<OrderDeps>): OrderService {
  const s = new OrderService({ ...hh.service.deps, ...over });
  extra.push(s);
  return s;
}

const ready = async () => ({ ready: true });

describe('two paid trades on one order (13.2)', () => {
  /** Trade A's close fails on the network; the family starts again (trade B) and both QR codes get paid. */
  async function twoPaidTrades(opts: { failRefund?: number } = {}) {
    let wx!: RecordingProvider;
    h = harness({
      printer: Object.assign(new FakePrinter(), { failNext: 5 }),
      payment: (sim) => (wx = new RecordingProvider('wechatpay', sim)),
    });
    const s = h.service;
    const orderId = await pickedOrder(s);
    await s.money.start(orderId, 'print', ready);
    const [a] = h.repo.payments(orderId);
    wx.failClose = true;
    expect((await s.money.cancel(orderId)).state).toBe('payment_closed');
    expect(h.repo.payment(a!.out_trade_no)!.state).toBe('closing');
    wx.failClose = false;
    await s.money.start(orderId, 'print', ready);
    const b = h.repo.payments(orderId)[1]!;
    // The first QR was still on a phone: paid (a second scan), seen while B is open → refunded as late.
    h.sim.confirm(tokenOfTrade(h, a!.out_trade_no));
    await until(() => h!.repo.refundOf(a!.out_trade_no)?.state === 'success', 'late trade A refunded');
    // B is paid; the print then fails for good → the order is refunded.
    wx.failRefund = opts.failRefund ?? 0;
    h.sim.confirm(tokenOfTrade(h, b.out_trade_no));
    return { s, orderId, a: a!.out_trade_no, b: b.out_trade_no, wx };
  }

  it('refunds both trades and ends the order refunded when the print fails', async () => {
    const { orderId, a, b } = await twoPaidTrades();
    await until(() => h!.repo.order(orderId)?.state === 'refunded', 'order refunded');
    const books = h!.sim.books();
    expect(books.find((t) => t.outTradeNo === a)).toMatchObject({ state: 'REFUND', amountFen: 1990, refundedFen: 1990 });
    expect(books.find((t) => t.outTradeNo === b)).toMatchObject({ state: 'REFUND', amountFen: 1990, refundedFen: 1990 });
    expect(h!.repo.refundOf(b)?.state).toBe('success');
  });

  it('finishes the second refund after a restart (the reconciler settles every paid trade)', async () => {
    const { s, orderId, b } = await twoPaidTrades({ failRefund: 3 });
    // The refund of B failed on the network (three attempts): the order waits in refund_pending.
    await until(() => h!.repo.order(orderId)?.state === 'refund_pending' && h!.repo.refundOf(b)?.state === 'pending', 'refund of B pending');
    await s.close();
    const s2 = h!.restart();
    await s2.reconcile();
    await until(() => h!.repo.order(orderId)?.state === 'refunded', 'order refunded after restart');
    const refunded = h!.sim.books().filter((t) => t.state === 'REFUND');
    expect(refunded.map((t) => t.refundedFen)).toEqual([1990, 1990]);
  });
});

describe('the admin refund (13.2)', () => {
  it('refunds the trade not refunded yet, not the one already given back', async () => {
    let wx!: RecordingProvider;
    h = harness({ payment: (sim) => (wx = new RecordingProvider('wechatpay', sim)) });
    const s = h.service;
    const orderId = await pickedOrder(s);
    await s.money.start(orderId, 'digital', ready);
    const a = h.repo.payments(orderId)[0]!.out_trade_no;
    wx.failClose = true;
    await s.money.cancel(orderId);
    wx.failClose = false;
    await s.money.start(orderId, 'digital', ready);
    const b = h.repo.payments(orderId)[1]!.out_trade_no;
    h.sim.confirm(tokenOfTrade(h, a));
    await until(() => h!.repo.refundOf(a)?.state === 'success', 'late trade A refunded');
    h.sim.confirm(tokenOfTrade(h, b));
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered on B');

    const admin = new AdminService({
      orders: s,
      config: s.deps.config,
      paths: h.paths,
      catalog: new CatalogState(h.db, testCatalog),
      secrets: createSecretStore({ file: join(h.dir, 'secrets.json') }),
      printer: h.printer,
      printLayout: s.deps.printLayout,
      paper: createPaperCounter({ file: join(h.dir, 'paper.json'), capacity: 50, warnBelow: 5 }),
      activeProviders: { ...s.deps.config.providers },
      exit: () => undefined,
      logFile: () => null,
    });
    const row = await admin.refund(orderId, '顾客投诉');
    expect(row.state).toBe('refunded');
    expect(h.sim.books().find((t) => t.outTradeNo === b)).toMatchObject({ state: 'REFUND', refundedFen: 990 });
    expect(wx.on(b).filter((op) => op === 'refund')).toHaveLength(1);
    expect(wx.on(a).filter((op) => op === 'refund')).toHaveLength(1); // the late refund only, never a second
  });
});

describe('amount required and checked on every paid answer', () => {
  for (const [what, tamper] of [
    ['without an amount', (st: TradeStatus): TradeStatus => ({ outTradeNo: st.outTradeNo, state: st.state, transactionId: st.transactionId })],
    ['with another amount', (st: TradeStatus): TradeStatus => (st.state === 'paid' ? { ...st, amountFen: 1 } : st)],
  ] as const) {
    it(`a paid answer ${what} is not delivered: the trade is flagged for the operator and the family told`, async () => {
      let wx!: RecordingProvider;
      h = harness({ payment: (sim) => (wx = new RecordingProvider('wechatpay', sim)) });
      const s = h.service;
      const orderId = await pickedOrder(s);
      await s.money.start(orderId, 'print', ready);
      const no = h.repo.payments(orderId)[0]!.out_trade_no;
      wx.tamper = tamper;
      h.sim.confirm(tokenOfTrade(h, no));
      await until(() => h!.repo.payment(no)?.state === 'disputed', 'trade flagged');
      const o = h.repo.order(orderId)!;
      expect(o.state).toBe('payment_closed');
      expect(o.notice).toContain('工作人员');
      expect(h.printer.submitted).toHaveLength(0);
      const audit = h.db.prepare("SELECT details_json FROM audit_log WHERE action = 'amount_mismatch' AND order_id = ?").all(orderId) as { details_json: string }[];
      expect(audit).toHaveLength(1);
      expect(JSON.parse(audit[0]!.details_json)).toMatchObject({ outTradeNo: no, expected: 1990 });
      // A restart does not take it as paid either.
      await s.close();
      await h.restart().reconcile();
      expect(h.repo.payment(no)?.state).toBe('disputed');
      expect(h.printer.submitted).toHaveLength(0);
    });
  }
});

describe('routed per trade (12.4)', () => {
  it('a trade opened on provider A is still queried, closed and refunded on A after the config switched to B', async () => {
    let wx!: RecordingProvider;
    h = harness({ printer: Object.assign(new FakePrinter(), { failNext: 5 }), payment: (sim) => (wx = new RecordingProvider('wechatpay', sim)) });
    const ali = new RecordingProvider('alipay', h.sim);
    const s = h.service;
    // Two orders with open trades on A (WeChat): one will be paid, one abandoned.
    const paidOrder = await pickedOrder(s);
    await s.money.start(paidOrder, 'print', ready);
    const openOrder = await pickedOrder(s);
    await s.money.start(openOrder, 'digital', ready);
    const paidNo = h.repo.payments(paidOrder)[0]!.out_trade_no;
    const openNo = h.repo.payments(openOrder)[0]!.out_trade_no;
    expect(h.repo.payment(paidNo)!.provider).toBe('wechatpay');
    await s.close();
    h.sim.confirm(tokenOfTrade(h, paidNo)); // paid while the kiosk was down

    // Config switched to B (Alipay), and A's credentials removed: nothing is decided on A's trades.
    const bOnly = serviceWith(h, { payment: ali, payments: [] });
    await bOnly.reconcile();
    expect(h.repo.payment(paidNo)!.state).toBe('open');
    expect(h.repo.payment(openNo)!.state).toBe('open');
    expect(ali.on(paidNo)).toEqual([]);
    const missing = h.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'payment_provider_missing'").get() as { n: number };
    expect(missing.n).toBe(2);
    await bOnly.close();

    // B configured, A still reachable: A's trades go to A — paid one delivered (print fails → refunded on A), open one closed on A.
    wx.calls.length = 0;
    const both = serviceWith(h, { payment: ali, payments: [wx] });
    await both.reconcile();
    await until(() => h!.repo.order(paidOrder)?.state === 'refunded', 'paid order refunded');
    expect(wx.on(paidNo)).toContain('query');
    expect(wx.on(paidNo)).toContain('refund');
    expect(wx.on(openNo)).toEqual(expect.arrayContaining(['query', 'close']));
    expect(h.repo.payment(openNo)!.state).toBe('closed');
    expect(ali.calls).toEqual([]);
    // New trades go to B.
    const next = await pickedOrder(both);
    await both.money.start(next, 'digital', ready);
    expect(h.repo.payments(next)[0]!.provider).toBe('alipay');
    expect(ali.on(h.repo.payments(next)[0]!.out_trade_no)).toEqual(['create']);
  });

  it('payment:start takes the method; switching closes the other method’s trade properly and shows the new QR', async () => {
    let wx!: RecordingProvider;
    h = harness({ payment: (sim) => (wx = new RecordingProvider('wechatpay', sim)) });
    const ali = new RecordingProvider('alipay', h.sim);
    const s = serviceWith(h, { payments: [ali], paymentMethods: () => ['wechatpay', 'alipay'] });
    expect(s.money.methods()).toEqual(['wechatpay', 'alipay']);
    const orderId = await pickedOrder(s);
    const v1 = await s.money.start(orderId, 'digital', ready, 'wechatpay');
    expect(v1.payment?.method).toBe('wechatpay');
    const v2 = await s.money.start(orderId, 'digital', ready, 'alipay');
    expect(v2.state).toBe('awaiting_payment');
    expect(v2.payment?.method).toBe('alipay');
    expect(v2.payment?.codeUrl).not.toBe(v1.payment?.codeUrl);
    const [t1, t2] = h.repo.payments(orderId);
    expect(wx.on(t1!.out_trade_no)).toEqual(['create', 'close', 'query']);
    expect(h.repo.payment(t1!.out_trade_no)!.state).toBe('closed');
    expect(ali.on(t2!.out_trade_no)).toEqual(['create']);
    // Same method again: a double tap, nothing new.
    await s.money.start(orderId, 'digital', ready, 'alipay');
    expect(h.repo.payments(orderId)).toHaveLength(2);
    // A method not offered is refused in words the family understands.
    await expect(s.money.start(orderId, 'digital', ready, 'unionpay')).rejects.toMatchObject({ code: 'PAYMENT_METHOD_UNAVAILABLE' });
    // Paid on Alipay, then back to WeChat in the same second: the payment wins, no third QR.
    h.sim.confirm(tokenOfTrade(h, t2!.out_trade_no));
    const v3 = await s.money.start(orderId, 'digital', ready, 'wechatpay');
    expect(['paid', 'delivering', 'delivered']).toContain(v3.state);
    expect(h.repo.payments(orderId)).toHaveLength(2);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
  });
});
