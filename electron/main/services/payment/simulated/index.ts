// The default payment provider for a kiosk with no merchant account: the QR opens a page on the
// phone listener with a "确认支付" button. It keeps its own books in SQLite and behaves like WeChat
// Pay where it matters to the order flow: reentrant create, auto-close at time_expire, ORDER_PAID
// when closing a paid trade, refunds only of paid trades.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db';
import { tx } from '../../store/db';
import {
  PaymentError,
  type CloseOutcome,
  type CreateOrder,
  type PaymentProvider,
  type RefundRequest,
  type RefundState,
  type TradeState,
  type TradeStatus,
} from '../types';

/** The simulated books use WeChat's words; the kiosk hears its own. */
const KIOSK_STATE: Record<SimTrade['state'], TradeState> = { NOTPAY: 'pending', SUCCESS: 'paid', REFUND: 'refunded', CLOSED: 'closed' };

interface SimTrade {
  out_trade_no: string;
  token: string;
  amount_fen: number;
  description: string;
  attach: string;
  state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  expires_at: string;
  transaction_id: string | null;
  paid_at: string | null;
}

export interface SimulatedPaymentOptions {
  db: Db;
  /** Base URL of the phone listener, read at call time (it is known only once the listener is bound). */
  baseUrl: () => string;
  /** Called when the customer confirms on the page, like WeChat's payment notification. */
  onPaid?: (outTradeNo: string) => void;
}

export class SimulatedPayment implements PaymentProvider {
  readonly name = 'simulated';
  constructor(private readonly opts: SimulatedPaymentOptions) {}

  private trade(outTradeNo: string): SimTrade | undefined {
    return this.opts.db.prepare('SELECT * FROM sim_trades WHERE out_trade_no = ?').get(outTradeNo) as SimTrade | undefined;
  }

  private byToken(token: string): SimTrade | undefined {
    return this.opts.db.prepare('SELECT * FROM sim_trades WHERE token = ?').get(token) as SimTrade | undefined;
  }

  /** NOTPAY past time_expire is CLOSED, as WeChat does on its own. */
  private settleExpiry(t: SimTrade, now = new Date()): SimTrade {
    if (t.state === 'NOTPAY' && new Date(t.expires_at) <= now) {
      this.opts.db.prepare("UPDATE sim_trades SET state = 'CLOSED' WHERE out_trade_no = ? AND state = 'NOTPAY'").run(t.out_trade_no);
      return { ...t, state: 'CLOSED' };
    }
    return t;
  }

  async create(order: CreateOrder): Promise<{ codeUrl: string }> {
    const existing = this.trade(order.outTradeNo);
    if (existing) {
      // Same out_trade_no again (a retry after a timeout): fine with the same body, an error otherwise.
      if (existing.amount_fen !== order.amountFen || existing.description !== order.description) {
        throw new PaymentError('INVALID_REQUEST', 'out_trade_no reused with a different body', 'stop');
      }
      if (existing.state === 'SUCCESS') throw new PaymentError('ORDERPAID', 'trade already paid', 'stop');
      return { codeUrl: this.payUrl(existing.token) };
    }
    if (!Number.isInteger(order.amountFen) || order.amountFen <= 0) {
      throw new PaymentError('PARAM_ERROR', 'amount must be a positive number of fen', 'stop');
    }
    const token = randomBytes(18).toString('base64url');
    this.opts.db
      .prepare(
        `INSERT INTO sim_trades (out_trade_no, token, amount_fen, description, attach, state, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'NOTPAY', ?, ?)`,
      )
      .run(order.outTradeNo, token, order.amountFen, order.description, order.attach, order.expiresAt.toISOString(), new Date().toISOString());
    return { codeUrl: this.payUrl(token) };
  }

  private payUrl(token: string): string {
    return `${this.opts.baseUrl()}/p/pay/${token}`;
  }

  async query(outTradeNo: string): Promise<TradeStatus> {
    const t = this.trade(outTradeNo);
    if (!t) return { outTradeNo, state: 'not_found' };
    const s = this.settleExpiry(t);
    return {
      outTradeNo,
      state: KIOSK_STATE[s.state],
      transactionId: s.transaction_id ?? undefined,
      amountFen: s.state === 'SUCCESS' || s.state === 'REFUND' ? s.amount_fen : undefined,
    };
  }

  async close(outTradeNo: string): Promise<CloseOutcome> {
    const t = this.trade(outTradeNo);
    if (!t) return 'not_found';
    if (t.state === 'SUCCESS' || t.state === 'REFUND') return 'paid';
    this.opts.db.prepare("UPDATE sim_trades SET state = 'CLOSED' WHERE out_trade_no = ? AND state = 'NOTPAY'").run(outTradeNo);
    return 'closed';
  }

  async refund(req: RefundRequest): Promise<{ state: RefundState }> {
    return tx(this.opts.db, () => {
      const done = this.opts.db.prepare('SELECT * FROM sim_refunds WHERE out_refund_no = ?').get(req.outRefundNo);
      if (done) return { state: 'success' as const };
      const t = this.trade(req.outTradeNo);
      if (!t) throw new PaymentError('RESOURCE_NOT_EXISTS', 'no such trade', 'stop');
      if (t.state !== 'SUCCESS') throw new PaymentError('INVALID_REQUEST', `trade is ${t.state}, cannot refund`, 'stop');
      if (req.refundFen > t.amount_fen || req.totalFen !== t.amount_fen) {
        throw new PaymentError('INVALID_REQUEST', 'refund amount does not match the trade', 'stop');
      }
      this.opts.db
        .prepare('INSERT INTO sim_refunds (out_refund_no, out_trade_no, amount_fen, created_at) VALUES (?, ?, ?, ?)')
        .run(req.outRefundNo, req.outTradeNo, req.refundFen, new Date().toISOString());
      this.opts.db.prepare("UPDATE sim_trades SET state = 'REFUND' WHERE out_trade_no = ?").run(req.outTradeNo);
      return { state: 'success' as const };
    });
  }

  async queryRefund(outRefundNo: string): Promise<{ state: RefundState }> {
    const done = this.opts.db.prepare('SELECT 1 FROM sim_refunds WHERE out_refund_no = ?').get(outRefundNo);
    return { state: done ? 'success' : 'not_found' };
  }

  // ------------------------------------------------------------ the phone page's side

  describe(token: string): { amountFen: number; description: string; state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' } | null {
    const t = this.byToken(token);
    if (!t) return null;
    const s = this.settleExpiry(t);
    return { amountFen: s.amount_fen, description: s.description, state: s.state === 'REFUND' ? 'SUCCESS' : s.state };
  }

  /** The customer tapped "确认支付". Returns the resulting state. */
  confirm(token: string): 'SUCCESS' | 'CLOSED' | null {
    const t = this.byToken(token);
    if (!t) return null;
    const s = this.settleExpiry(t);
    if (s.state === 'NOTPAY') {
      const txid = `SIM${Date.now()}${randomBytes(4).toString('hex')}`;
      this.opts.db
        .prepare("UPDATE sim_trades SET state = 'SUCCESS', transaction_id = ?, paid_at = ? WHERE out_trade_no = ? AND state = 'NOTPAY'")
        .run(txid, new Date().toISOString(), s.out_trade_no);
      this.opts.onPaid?.(s.out_trade_no);
      return 'SUCCESS';
    }
    return s.state === 'CLOSED' ? 'CLOSED' : 'SUCCESS';
  }

  /** What the simulated PSP holds, for tests and the admin screen: paid and refunded totals per trade. */
  books(): { outTradeNo: string; state: string; amountFen: number; refundedFen: number }[] {
    return (
      this.opts.db
        .prepare(
          `SELECT t.out_trade_no AS outTradeNo, t.state AS state, t.amount_fen AS amountFen,
                  COALESCE((SELECT SUM(amount_fen) FROM sim_refunds r WHERE r.out_trade_no = t.out_trade_no), 0) AS refundedFen
           FROM sim_trades t ORDER BY t.created_at`,
        )
        .all() as { outTradeNo: string; state: string; amountFen: number; refundedFen: number }[]
    );
  }
}
