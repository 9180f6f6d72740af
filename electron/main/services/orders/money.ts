// The money path: create the trade, watch it, close it, record "paid", refund.
// Rules (issue 5): the payment row and out_trade_no are committed before the create call; "paid" is
// recorded only from the provider's own answer; delivery starts only after "paid" is committed;
// a payment that turns up after the kiosk gave up is refunded; duplicate answers change nothing.
import { randomBytes } from 'node:crypto';
import type { OrderView } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import { PaymentError, type TradeStatus } from '../payment/types';
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

export class MoneyFlow {
  private readonly pollers = new Map<string, { wake: () => void; stop: () => void }>();
  private readonly refunding = new Set<string>();
  private readonly timing: Timing;
  private stopped = false;

  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: MoneyHooks,
  ) {
    this.timing = { ...defaultTiming, ...deps.timing };
  }

  async start(orderId: string, packageId: string, printerReady: (copies: number) => Promise<{ ready: boolean }>): Promise<OrderView> {
    const o = this.deps.repo.order(orderId);
    if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');
    if (o.state === 'awaiting_payment' && o.package_id === packageId) return this.hooks.changed(orderId); // double tap
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
          provider: this.deps.payment.name,
          amount_fen: pkg.priceFen,
          state: 'creating',
          expires_at: expiresAt.toISOString(),
        }),
    });
    try {
      const { codeUrl } = await this.withRetry(() =>
        this.deps.payment.create({
          outTradeNo,
          amountFen: pkg.priceFen,
          description: `团圆照相馆-${pkg.name.zh}`.slice(0, 127),
          expiresAt,
          attach: `${this.deps.config.kioskId}:${orderId}`,
        }),
      );
      this.deps.repo.setPayment(outTradeNo, { state: 'open', code_url: codeUrl });
      log.info('payment.created', { orderId, outTradeNo, amountFen: pkg.priceFen });
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
    if (!pay || ['paid', 'closed', 'failed'].includes(pay.state)) return true;
    const status = await this.deps.payment.query(outTradeNo);
    if (status.state === 'SUCCESS' || status.state === 'REFUND') {
      await this.recordPaid(outTradeNo, status);
      return true;
    }
    if (status.state === 'CLOSED' || status.state === 'REVOKED' || status.state === 'PAYERROR') {
      this.recordClosed(outTradeNo, status.state);
      return true;
    }
    // NOTPAY / USERPAYING: past time_expire we close it ourselves and settle the race.
    if (Date.now() > new Date(pay.expires_at).getTime() + 2000) {
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
    if (!pay || ['paid', 'closed', 'failed'].includes(pay.state)) return;
    this.deps.repo.setPayment(outTradeNo, { state: 'closing' });
    this.pollers.get(outTradeNo)?.stop();
    try {
      try {
        await this.withRetry(() => this.deps.payment.close(outTradeNo));
      } catch (e) {
        const code = (e as PaymentError).code;
        // ORDER_PAID: too late to close. ORDER_NOT_EXIST: the create never reached the provider.
        if (code === 'ORDER_NOT_EXIST' || code === 'RESOURCE_NOT_EXISTS') {
          this.recordClosed(outTradeNo, 'NOT_CREATED', 'failed');
          return;
        }
        if (code !== 'ORDER_PAID' && code !== 'ORDERPAID' && code !== 'ORDER_CLOSED') throw e;
      }
      const status = await this.withRetry(() => this.deps.payment.query(outTradeNo)).catch((e: PaymentError) => {
        // Closed fine, but the provider never saw the trade (the create was lost): nothing to settle.
        if (e.code === 'ORDER_NOT_EXIST' || e.code === 'RESOURCE_NOT_EXISTS') return null;
        throw e;
      });
      if (!status) this.recordClosed(outTradeNo, 'NOT_CREATED', 'failed');
      else if (status.state === 'SUCCESS' || status.state === 'REFUND') await this.recordPaid(outTradeNo, status);
      else this.recordClosed(outTradeNo, why);
    } catch (e) {
      // Left in "closing": the reconciler tries again. The order already shows as closed to the customer.
      log.warn('payment.close_failed', { outTradeNo, why, code: (e as PaymentError).code, error: e as Error });
      const o = this.deps.repo.order(pay.order_id);
      // Only when this is the trade the family is paying: a retried close of an older trade must
      // not close the new QR the family is scanning (found by the fault soak).
      if (o?.state === 'awaiting_payment' && this.current(pay.order_id)?.out_trade_no === outTradeNo) {
        transition(this.deps.db, pay.order_id, 'payment_closed', { reason: `${why}; close pending` });
      }
      await this.hooks.changed(pay.order_id).catch(() => undefined);
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
    void this.hooks.changed(pay.order_id).catch(() => undefined);
  }

  /** The provider says SUCCESS. Idempotent: a second answer for the same trade changes nothing. */
  private async recordPaid(outTradeNo: string, status: TradeStatus): Promise<void> {
    const pay = this.deps.repo.payment(outTradeNo);
    if (!pay) return;
    if (status.amountFen !== undefined && status.amountFen !== pay.amount_fen) {
      // Never deliver on a payment that does not match what we asked for; the operator must look.
      log.error('payment.amount_mismatch', { outTradeNo, expected: pay.amount_fen, got: status.amountFen });
      this.deps.repo.audit('system', 'amount_mismatch', pay.order_id, { outTradeNo, expected: pay.amount_fen, got: status.amountFen });
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
    log.info('payment.paid', { orderId: pay.order_id, outTradeNo, next });
    if (next === 'deliver') this.hooks.onPaid(pay.order_id);
    if (next === 'refund') void this.runRefund(outTradeNo);
    await this.hooks.changed(pay.order_id).catch(() => undefined);
  }

  /**
   * Refunds the order's paid trade in full: the refund row (with its out_refund_no) is committed
   * first, and the same number is used on every retry, so a refund can never happen twice.
   */
  async refundOrder(orderId: string, reason: string, actor: 'system' | 'admin'): Promise<void> {
    const paid = this.deps.repo.payments(orderId).find((p) => p.state === 'paid');
    if (!paid) return; // free order or never paid: nothing to give back
    tx(this.deps.db, () => {
      if (!this.deps.repo.refundOf(paid.out_trade_no)) {
        this.deps.repo.insertRefund({
          out_refund_no: `RF${paid.out_trade_no}`.slice(0, 64),
          order_id: orderId,
          out_trade_no: paid.out_trade_no,
          amount_fen: paid.amount_fen,
          reason,
          actor,
          state: 'pending',
        });
      }
    });
    await this.runRefund(paid.out_trade_no);
  }

  async runRefund(outTradeNo: string): Promise<void> {
    if (this.refunding.has(outTradeNo)) return;
    this.refunding.add(outTradeNo);
    try {
      const r = this.deps.repo.refundOf(outTradeNo);
      if (!r || r.state === 'success') return;
      let state: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
      try {
        state =
          r.state === 'processing'
            ? (await this.deps.payment.queryRefund(r.out_refund_no)).state
            : (
                await this.withRetry(() =>
                  this.deps.payment.refund({
                    outTradeNo,
                    outRefundNo: r.out_refund_no,
                    totalFen: r.amount_fen,
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
      if (state === 'SUCCESS') {
        tx(this.deps.db, () => {
          this.deps.repo.setRefund(r.out_refund_no, 'success');
          const o = this.deps.repo.order(r.order_id);
          if (o?.state === 'refund_pending') {
            transition(this.deps.db, r.order_id, 'refunded', { set: { notice: o.notice ?? '已为您原路退款' } });
          }
        });
        this.deps.repo.audit(r.actor, 'refunded', r.order_id, { outRefundNo: r.out_refund_no, amountFen: r.amount_fen });
        log.info('refund.done', { orderId: r.order_id, outRefundNo: r.out_refund_no });
      } else if (state === 'PROCESSING') {
        this.deps.repo.setRefund(r.out_refund_no, 'processing');
        // WeChat settles most refunds within seconds: look again soon (the sweeper is the backstop).
        if (!this.stopped) setTimeout(() => void this.runRefund(outTradeNo), this.timing.refundRecheckMs).unref();
      } else {
        this.deps.repo.setRefund(r.out_refund_no, 'failed');
        this.deps.repo.audit('system', 'refund_abnormal', r.order_id, { state });
      }
      await this.hooks.changed(r.order_id).catch(() => undefined);
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
