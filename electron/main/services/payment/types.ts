// A payment provider as the order service uses it. Implementations: simulated (default), wechatpay.
// Amounts are in fen (1/100 yuan). out_trade_no / out_refund_no are written to the store before any call.

export type TradeState = 'NOTPAY' | 'USERPAYING' | 'SUCCESS' | 'CLOSED' | 'REFUND' | 'REVOKED' | 'PAYERROR';

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
  amountFen?: number;
}

export interface RefundRequest {
  outTradeNo: string;
  outRefundNo: string;
  totalFen: number;
  refundFen: number;
  reason: string;
}

export type RefundState = 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';

/** Errors are thrown as PaymentError so callers can decide: retry the call, keep polling, or stop. */
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
  readonly name: string;
  /** Returns the text to put in the QR code (WeChat's code_url, or the simulated pay page URL). */
  create(order: CreateOrder): Promise<{ codeUrl: string }>;
  query(outTradeNo: string): Promise<TradeStatus>;
  close(outTradeNo: string): Promise<void>;
  refund(req: RefundRequest): Promise<{ state: RefundState }>;
  queryRefund(outRefundNo: string): Promise<{ state: RefundState }>;
}
