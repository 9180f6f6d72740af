// A payment provider as the order service uses it, in the kiosk's own words. Each adapter
// (simulated, wechatpay, alipay) translates its provider's codes (NOTPAY, ORDER_NOT_EXIST,
// TRADE_NOT_EXIST, ACQ.* …) into these states inside its own folder; nothing outside
// services/payment/<provider>/ reads a provider code to decide what to do.
// Amounts are in fen (1/100 yuan). out_trade_no / out_refund_no are written to the store before any call.

import { PaymentMethodId } from '../../../shared/contract';

/** The methods a family can choose on the pay screen (listed once, in the contract the screen shares); also the id stored in `payments.provider`. */
export const PAYMENT_METHODS = PaymentMethodId.options;
export type PaymentMethod = PaymentMethodId;

/**
 * A trade as the kiosk sees it:
 *   pending   — created, not paid yet (still payable);
 *   paid      — the money arrived (amountFen is then required and checked by the order service);
 *   refunded  — paid, and a refund has been made on it (it was paid: the money path treats it as paid);
 *   closed    — closed or expired unpaid: can never be paid;
 *   not_found — the provider says, in an authenticated answer, that it never saw this trade.
 */
export type TradeState = 'pending' | 'paid' | 'refunded' | 'closed' | 'not_found';

export interface CreateOrder {
  outTradeNo: string;
  amountFen: number;
  description: string;
  expiresAt: Date;
  /** Kiosk and order ids, echoed back by the provider. */
  attach: string;
}

export interface TradeStatus {
  outTradeNo: string;
  state: TradeState;
  transactionId?: string;
  /** What the provider says was paid, in fen. A paid answer without it is not treated as paid. */
  amountFen?: number;
}

/** What a close call found: closed now (or already), paid before the close took effect, or never created. */
export type CloseOutcome = 'closed' | 'paid' | 'not_found';

export interface RefundRequest {
  outTradeNo: string;
  outRefundNo: string;
  totalFen: number;
  refundFen: number;
  reason: string;
}

/** success — the money is on its way back; processing — ask again later; failed — needs the operator; not_found — no such refund. */
export type RefundState = 'success' | 'processing' | 'failed' | 'not_found';

/**
 * Errors are thrown as PaymentError so callers can decide: retry the call, keep polling, or stop.
 * `code` is the provider's own code, for logs and the operator; callers never branch on it.
 */
export class PaymentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly action: 'retry' | 'poll' | 'stop',
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}

export interface PaymentProvider {
  /** The provider's id, stored with each trade so later calls on it come back here. */
  readonly name: string;
  /** Returns the text to put in the QR code (WeChat's code_url, Alipay's qr_code, or the simulated pay page URL). */
  create(order: CreateOrder): Promise<{ codeUrl: string }>;
  query(outTradeNo: string): Promise<TradeStatus>;
  /** Closes an unpaid trade; the caller queries afterwards to settle the race with a last-second payment. */
  close(outTradeNo: string): Promise<CloseOutcome>;
  refund(req: RefundRequest): Promise<{ state: RefundState }>;
  queryRefund(outRefundNo: string, outTradeNo: string): Promise<{ state: RefundState }>;
}

/** "It was paid" in kiosk terms: the money path treats a trade refunded at the provider as paid (then refunds nothing twice). */
export const isPaidState = (s: TradeState): boolean => s === 'paid' || s === 'refunded';

export const isPaymentMethod = (id: string): id is PaymentMethod => (PAYMENT_METHODS as readonly string[]).includes(id);
