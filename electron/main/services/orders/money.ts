// The money path: create the trade, watch it, close it, record "paid", refund.
// Rules (issue 5): the payment row and out_trade_no are committed before the create call; "paid" is
// recorded only from the provider's own answer; delivery starts only after "paid" is committed;
// a payment that turns up after the kiosk gave up is refunded; duplicate answers change nothing.
// Issue 12/13: every call on an existing trade goes to the provider that created it (the stored
// `payments.provider`), so switching the configured provider or offering two methods side by side
// is safe; "paid" needs the amount asked for; a refund settles every paid trade of the order.
import { randomBytes } from 'node:crypto';
import type { OrderView } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import { isPaidState, PaymentError, type PaymentProvider, type TradeStatus } from '../payment/types';
import { tx } from '../store/db';
import { defaultTiming, type OrderDeps, type Timing } from './context';
import { type PaymentRow } from './repo';
import { transition } from './stateMachine';

const log = logger('money');

export interface MoneyHooks {
  /** Called after "paid" is committed: start delivering. */
  onPaid(orderId: string): void;
  changed(orderId: string): Promise<OrderView>;
}

/** WeChat's out_trade_no: 6–32 chars of [A-Za-z0-9_-|*]; unique per merchant. */
export function newOutTradeNo(kioskId: string): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
  const id = kioskId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return `${id}${stamp}${randomBytes(4).toString('hex')}`.slice(0, 32);
}

/** A 'not_found' answer is final only once the QR has expired: Alipay creates the trade only when it is scanned. */
const NOT_FOUND_GRACE_MS = 2000;

export class MoneyFlow {
  private readonly pollers = new Map<string, { wake: () => void; stop: () => void }>();
  private readonly refunding = new Set<string>();
  /** Orders whose QR is being swapped for another method's: the in-between "closed" is not shown. */
  private readonly switching = new Set<string>();
  private readonly timing: Timing;
  /** Every provider the kiosk can reach, by id: the configured one and those that still hold trades. */
  private readonly providers = new Map<string, PaymentProvider>();
  private stopped = false;

  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: MoneyHooks,
  ) {
    this.timing = { ...defaultTiming, ...deps.timing };
    for (const p of deps.payments ?? []) this.providers.set(p.name, p);
    this.providers.set(deps.payment.name, deps.payment);
  }

  /** The methods offered to the family, the configured one first. */
  methods(): string[] {
    const offered = this.deps.paymentMethods?.() ?? [this.deps.payment.name];
    return offered.filter((m) => this.providers.has(m));
  }

  /**
   * The provider that created a trade. When it is no longer configured the call fails with 'poll':
   * the trade stays as it is (never taken as closed or paid) and the operator is told.
   */
  providerFor(id: string): PaymentProvider {
    const p = this.providers.get(id);
    if (p) return p;
    throw new PaymentError('PROVIDER_UNAVAILABLE', `payment provider "${id}" is not configured on this kiosk`, 'poll');
  }

  private changed(orderId: string): void {
    if (this.switching.has(orderId)) return;
    void this.hooks.changed(orderId).catch(() => undefined);
  }

  async start(
    orderId: string,
    packageId: string,
    printerReady: (copies: number) => Promise<{ ready: boolean }>,
    method?: string,
  ): Promise<OrderView> {
    let o = this.deps.repo.order(orderId);
    if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');
    const methods = this.methods();
    const chosen = method ?? methods[0] ?? this.deps.payment.name;
    if (!methods.includes(chosen)) throw new KioskFailure('PAYMENT_METHOD_UNAVAILABLE', '该支付方式暂不可用，请选择其他支付方式', true);
    if (o.state === 'awaiting_payment') {
      const cur = this.current(orderId);
      if (o.package_id === packageId && (!cur || cur.provider === chosen)) return this.hooks.changed(orderId); // double tap
      // The family switched method (微信 ⇄ 支付宝): the open trade is closed properly first; if it
      // turns out paid in that last second, the order is paid and no second QR is shown.
      if (cur) {
        this.switching.add(orderId);
        try {
          await this.closeTrade(cur.out_trade_no, 'method switched');
        } finally {
          this.switching.delete(orderId);
        }
      }
      o = this.deps.repo.order(orderId)!;
      if (o.state !== 'payment_closed') return this.hooks.changed(orderId);
    }
    if (!['picked', 'payment_closed'].includes(o.state)) throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续');
    const pkg = this.deps.catalog().packages.find((p) => p.id === packageId && p.enabled);
    if (!pkg) throw new KioskFailure('PACKAGE_UNAVAILABLE', '该套餐暂不可用，请选择其他套餐');
    if (pkg.print && !(await printerReady(Math.max(1, pkg.copies))).ready) {
      throw new KioskFailure('PRINTER_NOT_READY', '打印机暂时不能使用，请选择电子版套餐', true);
    }

    if (pkg.priceFen === 0) {
      transition(this.deps.db, orderId, 'paid', { from: ['picked'], reason: 'free', set: { package_id: pkg.id, amount_fen: 0 } });
      this.deps.repo.audit('system', 'free_order', orderId, { packageId: pkg.id });
      this.hooks.onPaid(orderId);
      return this.hooks.changed(orderId);
    }

    const provider = this.providerFor(chosen);
    const outTradeNo = newOutTradeNo(this.deps.config.kioskId);
    const expiresAt = new Date(Date.now() + this.deps.config.paymentTimeoutSec * 1000);
    // Committed before the provider hears of it: a crash after this line is settled by the reconciler.
    transition(this.deps.db, orderId, 'awaiting_payment', {
      from: ['picked', 'payment_closed'],
      set: { package_id: pkg.id, amount_fen: pkg.priceFen, notice: null },
      also: () =>
        this.deps.repo.insertPayment({
          out_trade_no: outTradeNo,
          order_id: orderId,
          provider: provider.name,
          amount_fen: pkg.priceFen,
          state: 'creating',
          expires_at: expiresAt.toISOString(),
        }),
    });
    try {
      const { codeUrl } = await this.withRetry(() =>
        provider.create({
          outTradeNo,
          amountFen: pkg.priceFen,
          description: `团圆照相馆-${pkg.name.zh}`.slice(0, 127),
          expiresAt,
          attach: `${this.deps.config.kioskId}:${orderId}`,
        }),
      );
      this.deps.repo.setPayment(outTradeNo, { state: 'open', code_url: codeUrl });
      log.info('payment.created', { orderId, outTradeNo, provider: provider.name, amountFen: pkg.priceFen });
      this.watch(outTradeNo);
    } catch (e) {
      log.warn('payment.create_failed', { orderId, outTradeNo, code: (e as PaymentError).code, error: e as Error });
      // The trade may exist at the provider even though we saw an error: close it properly.
      await this.closeTrade(outTradeNo, 'create failed');
      throw new KioskFailure('PAYMENT_UNAVAILABLE', '支付暂时不可用，请稍后再试', true);
    }
    return this.hooks.changed(orderId);
  }

  async cancel(orderId: string): Promise<OrderView> {
    const pay = this.current(orderId);
    if (pay && ['creating', 'open', 'closing'].includes(pay.state)) await this.closeTrade(pay.out_trade_no, 'cancelled');
    return this.hooks.changed(orderId);
  }

  private current(orderId: string): PaymentRow | undefined {
    const all = this.deps.repo.payments(orderId);
    return all[all.length - 1];
  }

  /** Polls the provider for one trade until it settles; `wake` polls at once (a notification arrived). */
  watch(outTradeNo: string): void {
    if (this.pollers.has(outTradeNo) || this.stopped) return;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let busy = false;
    const started = Date.now();
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      this.pollers.delete(outTradeNo);
    };
    const tick = async () => {
      if (stopped || busy) return;
      busy = true;
      try {
        const done = await this.pollOnce(outTradeNo);
        if (done) return stop();
      } catch (e) {
        log.warn('payment.poll_error', { outTradeNo, code: (e as PaymentError).code, error: e as Error });
      } finally {
        busy = false;
      }
      if (stopped) return;
      // Adaptive: quick while the customer is likely scanning, slower after a minute.
      const interval = Date.now() - started < 60_000 ? this.timing.pollFastMs : this.timing.pollSlowMs;
      timer = setTimeout(() => void tick(), interval);
    };
    this.pollers.set(outTradeNo, {
      stop,
      wake: () => {
        if (timer) clearTimeout(timer);
        void tick();
      },
    });
    timer = setTimeout(() => void tick(), this.timing.pollFastMs);
  }

  /** A payment notification (or the simulated page) says something happened: look now. */
  notify(outTradeNo: string): void {
    if (this.stopped) return; // shutting down: the next start's reconciler will look
    const p = this.pollers.get(outTradeNo);
    if (p) p.wake();
    else void this.pollOnce(outTradeNo).catch(() => undefined);
  }

  /** One look at the provider; returns true when the trade is settled (paid or closed). */
  private async pollOnce(outTradeNo: string): Promise<boolean> {
    const pay = this.deps.repo.payment(outTradeNo);
    if (!pay || ['paid', 'closed', 'failed', 'disputed'].includes(pay.state)) return true;
    const status = await this.providerFor(pay.provider).query(outTradeNo);
    if (isPaidState(status.state)) {
      await this.recordPaid(outTradeNo, status);
      return true;
    }
    if (status.state === 'closed') {
      this.recordClosed(outTradeNo, 'closed by the provider');
      return true;
    }
    // pending (or not scanned yet): past the expiry we close it ourselves and settle the race.
    if (Date.now() > new Date(pay.expires_at).getTime() + NOT_FOUND_GRACE_MS) {
      await this.closeTrade(outTradeNo, 'expired');
      return true;
    }
    return false;
  }

  /**
   * Closes the trade at the provider, then asks once more: a payment made in the last second wins
   * over the close (ORDER_PAID), and is then delivered or refunded like any other.
   */
  async closeTrade(outTradeNo: string, why: string): Promise<void> {
    const pay = this.deps.repo.payment(outTradeNo);
    if (!pay || ['paid', 'closed', 'failed', 'disputed'].includes(pay.state)) return;
    this.deps.repo.setPayment(outTradeNo, { state: 'closing' });
    this.pollers.get(outTradeNo)?.stop();
    try {
      const provider = this.providerFor(pay.provider);
      const outcome = await this.withRetry(() => provider.close(outTradeNo));
      // Closed (or too late: paid) — ask once more and act on the answer, not on the close.
      const status: TradeStatus = await this.withRetry(() => provider.query(outTradeNo));
      if (outcome === 'paid' && !isPaidState(status.state)) throw new PaymentError('CLOSE_UNSETTLED', 'close said paid, query did not', 'retry');
      if (isPaidState(status.state)) await this.recordPaid(outTradeNo, status);
      else if (status.state === 'closed') this.recordClosed(outTradeNo, why);
      else if (status.state === 'not_found' && Date.now() > new Date(pay.expires_at).getTime() + NOT_FOUND_GRACE_MS) {
        // The create never reached the provider (or the QR was never scanned and has expired): nothing to settle.
        this.recordClosed(outTradeNo, 'NOT_CREATED', 'failed');
      } else {
        // Still payable, or not created *yet* (Alipay creates the trade on the scan): keep closing until it expires.
        throw new PaymentError('CLOSE_UNSETTLED', `trade is ${status.state} after close`, 'retry');
      }
    } catch (e) {
      // Left in "closing": the sweeper and the reconciler try again. The order already shows as closed to the customer.
      log.warn('payment.close_failed', { outTradeNo, why, code: (e as PaymentError).code, error: e as Error });
      const o = this.deps.repo.order(pay.order_id);
      // Only when this is the trade the family is paying: a retried close of an older trade must
      // not close the new QR the family is scanning (found by the fault soak).
      if (o?.state === 'awaiting_payment' && this.current(pay.order_id)?.out_trade_no === outTradeNo) {
        transition(this.deps.db, pay.order_id, 'payment_closed', { reason: `${why}; close pending` });
      }
      this.changed(pay.order_id);
    }
  }

  private recordClosed(outTradeNo: string, why: string, state: 'closed' | 'failed' = 'closed'): void {
    const pay = this.deps.repo.payment(outTradeNo);
    if (!pay) return;
    tx(this.deps.db, () => {
      this.deps.repo.setPayment(outTradeNo, { state });
      const o = this.deps.repo.order(pay.order_id);
      if (o?.state === 'awaiting_payment' && this.current(pay.order_id)?.out_trade_no === outTradeNo) {
        transition(this.deps.db, pay.order_id, 'payment_closed', { reason: why });
      }
    });
    log.info('payment.closed', { orderId: pay.order_id, outTradeNo, why });
    this.changed(pay.order_id);
  }

  /** The provider says SUCCESS. Idempotent: a second answer for the same trade changes nothing. */
  private async recordPaid(outTradeNo: string, status: TradeStatus): Promise<void> {
    const pay = this.deps.repo.payment(outTradeNo);
    if (!pay) return;
    if (status.amountFen === undefined || status.amountFen !== pay.amount_fen) {
      // Never deliver on a payment that does not say it is for what we asked (or says no amount at all):
      // the trade is set aside as disputed, the family is told to ask staff, the operator must look.
      const got = status.amountFen ?? null;
      const flagged = tx(this.deps.db, () => {
        const fresh = this.deps.repo.payment(outTradeNo)!;
        if (fresh.state === 'paid' || fresh.state === 'disputed') return false;
        this.deps.repo.setPayment(outTradeNo, { state: 'disputed', transaction_id: status.transactionId ?? null });
        this.deps.repo.audit('system', 'amount_mismatch', pay.order_id, { outTradeNo, provider: pay.provider, expected: pay.amount_fen, got });
        const o = this.deps.repo.order(pay.order_id);
        if (o?.state === 'awaiting_payment' && this.current(pay.order_id)?.out_trade_no === outTradeNo) {
          transition(this.deps.db, pay.order_id, 'payment_closed', {
            reason: 'amount mismatch',
            set: { notice: '支付金额异常，请联系工作人员处理' },
          });
        }
        return true;
      });
      if (flagged) log.error('payment.amount_mismatch', { orderId: pay.order_id, outTradeNo, provider: pay.provider, expected: pay.amount_fen, got });
      this.pollers.get(outTradeNo)?.stop();
      this.changed(pay.order_id);
      return;
    }
    const next = tx(this.deps.db, (): 'deliver' | 'refund' | 'none' => {
      const fresh = this.deps.repo.payment(outTradeNo)!;
      if (fresh.state === 'paid') return 'none';
      this.deps.repo.setPayment(outTradeNo, { state: 'paid', transaction_id: status.transactionId ?? null });
      const o = this.deps.repo.order(pay.order_id)!;
      const isCurrent = this.current(pay.order_id)?.out_trade_no === outTradeNo;
      if (o.state === 'awaiting_payment' && isCurrent) {
        transition(this.deps.db, o.id, 'paid', { reason: 'payment confirmed' });
        return 'deliver';
      }
      // Late payment (the kiosk had closed the order or the customer left): give it back.
      if (['payment_closed', 'abandoned'].includes(o.state)) {
        transition(this.deps.db, o.id, 'refund_pending', { reason: 'late payment', set: { notice: '支付已超时，款项将原路退回' } });
      }
      this.deps.repo.insertRefund({
        out_refund_no: `RF${outTradeNo}`.slice(0, 64),
        order_id: o.id,
        out_trade_no: outTradeNo,
        amount_fen: pay.amount_fen,
        reason: 'payment after the order was closed',
        actor: 'system',
        state: 'pending',
      });
      return 'refund';
    });
    log.info('payment.paid', { orderId: pay.order_id, outTradeNo, provider: pay.provider, next });
    if (next === 'deliver') this.hooks.onPaid(pay.order_id);
    if (next === 'refund') void this.runRefund(outTradeNo);
    this.changed(pay.order_id);
  }

  /**
   * Refunds every paid trade of the order that is not refunded yet (a second scan after a close that
   * failed leaves two): each refund row (with its out_refund_no) is committed first, and the same
   * number is used on every retry, so a trade can never be refunded twice. The order ends `refunded`
   * once every paid trade has been given back.
   */
  async refundOrder(orderId: string, reason: string, actor: 'system' | 'admin'): Promise<void> {
    const paid = this.deps.repo.payments(orderId).filter((p) => p.state === 'paid' && p.amount_fen > 0);
    if (paid.length === 0) return; // free order or never paid: nothing to give back
    tx(this.deps.db, () => {
      for (const p of paid) {
        if (this.deps.repo.refundOf(p.out_trade_no)) continue;
        this.deps.repo.insertRefund({
          out_refund_no: `RF${p.out_trade_no}`.slice(0, 64),
          order_id: orderId,
          out_trade_no: p.out_trade_no,
          amount_fen: p.amount_fen,
          reason,
          actor,
          state: 'pending',
        });
      }
    });
    for (const p of paid) await this.runRefund(p.out_trade_no);
    this.settleRefundedOrder(orderId);
  }

  /** refund_pending → refunded when every paid trade of the order has its refund done. */
  private settleRefundedOrder(orderId: string): boolean {
    return tx(this.deps.db, () => {
      const o = this.deps.repo.order(orderId);
      if (o?.state !== 'refund_pending') return false;
      const paid = this.deps.repo.payments(orderId).filter((p) => p.state === 'paid' && p.amount_fen > 0);
      if (!paid.every((p) => this.deps.repo.refundOf(p.out_trade_no)?.state === 'success')) return false;
      transition(this.deps.db, orderId, 'refunded', { set: { notice: o.notice ?? '已为您原路退款' } });
      return true;
    });
  }

  async runRefund(outTradeNo: string): Promise<void> {
    if (this.refunding.has(outTradeNo)) return;
    this.refunding.add(outTradeNo);
    try {
      const r = this.deps.repo.refundOf(outTradeNo);
      const pay = this.deps.repo.payment(outTradeNo);
      if (!r || !pay || r.state === 'success') return;
      let state: 'success' | 'processing' | 'failed' | 'not_found';
      try {
        const provider = this.providerFor(pay.provider);
        state =
          r.state === 'processing'
            ? (await provider.queryRefund(r.out_refund_no, outTradeNo)).state
            : (
                await this.withRetry(() =>
                  provider.refund({
                    outTradeNo,
                    outRefundNo: r.out_refund_no,
                    totalFen: pay.amount_fen,
                    refundFen: r.amount_fen,
                    reason: r.reason.slice(0, 80),
                  }),
                )
              ).state;
      } catch (e) {
        log.warn('refund.failed', { orderId: r.order_id, outRefundNo: r.out_refund_no, code: (e as PaymentError).code, error: e as Error });
        if (e instanceof PaymentError && e.action === 'stop') {
          this.deps.repo.setRefund(r.out_refund_no, 'failed');
          this.deps.repo.audit('system', 'refund_failed', r.order_id, { code: e.code });
        }
        return;
      }
      if (state === 'success') {
        tx(this.deps.db, () => {
          this.deps.repo.setRefund(r.out_refund_no, 'success');
          this.settleRefundedOrder(r.order_id);
        });
        this.deps.repo.audit(r.actor, 'refunded', r.order_id, { outRefundNo: r.out_refund_no, amountFen: r.amount_fen });
        log.info('refund.done', { orderId: r.order_id, outRefundNo: r.out_refund_no, provider: pay.provider });
      } else if (state === 'processing') {
        this.deps.repo.setRefund(r.out_refund_no, 'processing');
        // Most refunds settle within seconds: look again soon (the sweeper is the backstop).
        if (!this.stopped) setTimeout(() => void this.runRefund(outTradeNo), this.timing.refundRecheckMs).unref();
      } else if (state === 'not_found') {
        // The provider has no refund under this number (the request was lost): ask again with the same number.
        this.deps.repo.setRefund(r.out_refund_no, 'pending');
        if (!this.stopped) setTimeout(() => void this.runRefund(outTradeNo), this.timing.refundRecheckMs).unref();
      } else {
        this.deps.repo.setRefund(r.out_refund_no, 'failed');
        this.deps.repo.audit('system', 'refund_abnormal', r.order_id, { state });
      }
      this.changed(r.order_id);
    } finally {
      this.refunding.delete(outTradeNo);
    }
  }

  /** Retries a provider call that failed with a transient error, with back-off; other errors go up. */
  private async withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await fn();
      } catch (e) {
        // Only transient failures are repeated; 'poll' answers (e.g. ORDER_PAID on close) go up at once.
        const retry = e instanceof PaymentError ? e.action === 'retry' : true;
        if (!retry || i >= attempts || this.stopped) throw e;
        await new Promise((r) => setTimeout(r, this.timing.retryMs * i));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const p of [...this.pollers.values()]) p.stop();
  }
}
