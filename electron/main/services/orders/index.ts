// The order service: the customer's session, the money path, delivery, and the start-up reconciler.
import { logger } from '../../infra/log';
import { isPaidState, PaymentError } from '../payment/types';
import type { OrderDeps } from './context';
import { DeliveryFlow } from './delivery';
import { MoneyFlow } from './money';
import { SessionFlow } from './session';
import { prePaymentStates, transition } from './stateMachine';

const log = logger('orders');

export class OrderService {
  readonly session: SessionFlow;
  readonly money: MoneyFlow;
  readonly delivery: DeliveryFlow;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly sweepClosing = new Set<string>();

  constructor(readonly deps: OrderDeps) {
    this.session = new SessionFlow(deps);
    const changed = (id: string) => this.session.changed(id);
    this.delivery = new DeliveryFlow(deps, {
      changed,
      refund: (orderId, reason) => this.money.refundOrder(orderId, reason, 'system'),
    });
    this.money = new MoneyFlow(deps, { changed, onPaid: (orderId) => this.delivery.start(orderId) });
  }

  /**
   * Start-up: settle every unfinished order (ARCHITECTURE.md §5). Pre-payment sessions died with the
   * previous run (the screen is back at attract); money and deliveries are resumed or refunded.
   */
  async reconcile(): Promise<{ abandoned: number; payments: number; deliveries: number; refunds: number }> {
    const { repo, db } = this.deps;
    const tally = { abandoned: 0, payments: 0, deliveries: 0, refunds: 0 };
    for (const o of repo.ordersIn(prePaymentStates)) {
      transition(db, o.id, 'abandoned', { reason: 'restart' });
      tally.abandoned++;
    }
    // Trades not settled: ask the provider. creating/open → settle (the customer's QR is gone);
    // closing → close again. A trade found paid is delivered, or refunded if the order was given up.
    for (const p of repo.paymentsIn(['creating', 'open', 'closing'])) {
      tally.payments++;
      try {
        // Asked of the provider that created the trade, whatever is configured now.
        const status = await this.money.providerFor(p.provider).query(p.out_trade_no);
        if (isPaidState(status.state)) {
          this.money.notify(p.out_trade_no);
          await this.waitSettled(p.out_trade_no);
        } else await this.money.closeTrade(p.out_trade_no, 'restart');
      } catch (e) {
        if (e instanceof PaymentError && e.code === 'PROVIDER_UNAVAILABLE') {
          // Its provider is no longer configured: the trade is kept as it is, the operator is told.
          repo.audit('system', 'payment_provider_missing', p.order_id, { outTradeNo: p.out_trade_no, provider: p.provider });
        }
        log.warn('reconcile.payment_failed', { outTradeNo: p.out_trade_no, provider: p.provider, code: (e as PaymentError).code, error: e as Error });
      }
    }
    for (const o of repo.ordersIn(['paid', 'delivering'])) {
      tally.deliveries++;
      this.delivery.start(o.id);
    }
    for (const o of repo.ordersIn(['delivery_failed'])) {
      // A crash between the two transitions of a failed delivery: finish the refund.
      transition(db, o.id, 'refund_pending', { reason: 'delivery failed (resumed)' });
    }
    for (const o of repo.ordersIn(['refund_pending'])) {
      tally.refunds++;
      await this.money.refundOrder(o.id, 'delivery failed', 'system');
    }
    for (const r of repo.refundsIn(['pending', 'processing'])) await this.money.runRefund(r.out_trade_no);
    log.info('reconciled', tally);
    return tally;
  }

  private async waitSettled(outTradeNo: string): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const p = this.deps.repo.payment(outTradeNo);
      if (!p || p.state === 'paid' || p.state === 'closed' || p.state === 'disputed') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Every minute: retry closes and refunds that failed on a network error, and deliveries that
   * threw (full disk…) once their back-off has passed.
   */
  startSweeper(everyMs = 60_000): void {
    this.sweepTimer = setInterval(() => this.sweep(), everyMs);
    this.sweepTimer.unref();
  }

  /** One pass of the sweeper (also called by tests and the fault soak). */
  sweep(): void {
    for (const p of this.deps.repo.paymentsIn(['closing'])) {
      // One retry at a time per trade: a close still retrying from the last pass is not doubled.
      if (this.sweepClosing.has(p.out_trade_no)) continue;
      this.sweepClosing.add(p.out_trade_no);
      void this.money
        .closeTrade(p.out_trade_no, 'retry')
        .catch(() => undefined)
        .finally(() => this.sweepClosing.delete(p.out_trade_no));
    }
    for (const r of this.deps.repo.refundsIn(['pending', 'processing'])) void this.money.runRefund(r.out_trade_no);
    this.delivery.sweep();
    // A refund_pending order whose refund row was never written (a crash in between): write it now.
    for (const o of this.deps.repo.ordersIn(['refund_pending'])) {
      const unsettled = this.deps.repo.payments(o.id).some((p) => p.state === 'paid' && !this.deps.repo.refundOf(p.out_trade_no));
      if (unsettled) void this.money.refundOrder(o.id, 'delivery failed', 'system').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.session.abortAll();
    this.money.stop();
    this.delivery.stop();
  }
}
