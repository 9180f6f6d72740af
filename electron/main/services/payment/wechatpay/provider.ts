// WeChat Pay APIv3 Native (扫码支付) as a PaymentProvider: create → code_url for the QR, query,
// close (+ query to settle the race), refund and refund query. Every call is idempotent on
// WeChat's side when repeated with the same body, so 'retry' errors are retried here with the
// exact same bytes (a few times, with backoff); what remains is thrown as PaymentError.
import type { Dispatcher } from 'undici';
import { logger } from '../../../infra/log';
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
import type { WeChatPayConfig } from './config';
import type { WeChatPayCredentials } from './credentials';
import { isNotFound, isOrderPaid } from './errors';
import { WeChatPayHttp } from './http';
import {
  NativeCreateAnswer,
  OUT_REFUND_NO_RE,
  OUT_TRADE_NO_RE,
  RefundWire,
  TransactionWire,
  type TradeStateWire,
  type RefundStatusWire,
  rfc3339Cst,
  wechatText,
} from './wire';

const log = logger('wechatpay');

export interface WeChatPayProviderOptions {
  config: WeChatPayConfig;
  credentials: WeChatPayCredentials;
  /** Attempts per call for 'retry' errors (1 = no retry). Default 3. */
  maxAttempts?: number;
  /** Base backoff in ms, doubled per attempt; 429 waits at least 4× longer. Default 300. */
  backoffMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
  userAgent?: string;
}

/** WeChat's trade_state in the kiosk's words (USERPAYING is payment-code only; PAYERROR/REVOKED never pay). */
export function kioskTradeState(s: TradeStateWire): TradeState {
  switch (s) {
    case 'SUCCESS':
      return 'paid';
    case 'REFUND':
      return 'refunded';
    case 'NOTPAY':
    case 'USERPAYING':
      return 'pending';
    default:
      return 'closed';
  }
}

/** WeChat's refund status in the kiosk's words: CLOSED and ABNORMAL need the operator. */
export function kioskRefundState(s: RefundStatusWire): RefundState {
  if (s === 'SUCCESS') return 'success';
  if (s === 'PROCESSING') return 'processing';
  return 'failed';
}

/** What a query tells, in WeChat's words (the CLI prints these): state, echoed attach, time of payment, payer amount. */
export interface TradeDetail {
  outTradeNo: string;
  state: TradeStateWire;
  transactionId?: string;
  amountFen?: number;
  attach?: string;
  successTime?: string;
  payerTotalFen?: number;
  stateDesc?: string;
}

export interface RefundDetail {
  state: RefundStatusWire;
  refundId: string;
  outRefundNo: string;
  outTradeNo?: string;
  refundFen?: number;
  totalFen?: number;
  successTime?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function invalid(message: string): PaymentError {
  return new PaymentError('PARAM_ERROR', message, 'stop');
}

export class WeChatPayProvider implements PaymentProvider {
  readonly name = 'wechatpay';
  private readonly http: WeChatPayHttp;
  /** The backup access point (api2), used for the next attempt after a network error or 5xx. */
  private readonly backup: WeChatPayHttp | null;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: WeChatPayProviderOptions) {
    this.http = new WeChatPayHttp({
      endpoint: opts.config.endpoint,
      credentials: opts.credentials,
      timeoutMs: opts.config.requestTimeoutMs,
      dispatcher: opts.dispatcher,
      now: opts.now,
      userAgent: opts.userAgent,
    });
    this.backup = opts.config.backupEndpoint
      ? new WeChatPayHttp({
          endpoint: opts.config.backupEndpoint,
          credentials: opts.credentials,
          timeoutMs: opts.config.requestTimeoutMs,
          dispatcher: opts.dispatcher,
          now: opts.now,
          userAgent: opts.userAgent,
        })
      : null;
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 300;
  }

  private get mchid(): string {
    return this.opts.credentials.mchid;
  }

  /**
   * Repeats the same call (same bytes) while WeChat says "retry", then gives up with the last error.
   * After a network error or a 5xx the next attempt goes to the backup access point, if configured.
   */
  private async withRetry<T>(what: string, fn: (http: WeChatPayHttp) => Promise<T>): Promise<T> {
    let last: unknown;
    let http = this.http;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        return await fn(http);
      } catch (e) {
        last = e;
        if (!(e instanceof PaymentError) || e.action !== 'retry' || attempt === this.maxAttempts) throw e;
        const status = (e as PaymentError & { status?: number }).status;
        const unreachable = e.code === 'NETWORK_ERROR' || (status !== undefined && status >= 500);
        if (this.backup && unreachable) http = http === this.http ? this.backup : this.http;
        const limited = /FREQUENCY|RATELIMIT/.test(e.code);
        const wait = this.backoffMs * 2 ** (attempt - 1) * (limited ? 4 : 1);
        log.info('wechatpay_retry', { what, code: e.code, attempt, waitMs: wait });
        await sleep(wait);
      }
    }
    throw last;
  }

  /** The create body, built deterministically from the order so a retry after a crash is byte-identical. */
  nativeOrderBody(order: CreateOrder): Record<string, unknown> {
    if (!OUT_TRADE_NO_RE.test(order.outTradeNo)) throw invalid('out_trade_no must be 6–32 of [0-9A-Za-z_-*]');
    if (!Number.isSafeInteger(order.amountFen) || order.amountFen < 1) throw invalid('amount must be a whole number of fen ≥ 1');
    if (!(order.expiresAt instanceof Date) || Number.isNaN(order.expiresAt.getTime())) throw invalid('expiresAt is not a date');
    const attach = wechatText(order.attach, 128);
    if (attach !== order.attach) throw invalid('attach must be ≤128 characters without emoji');
    const description = wechatText(order.description, 127) || '团圆照相馆';
    return {
      appid: this.opts.config.appid,
      mchid: this.mchid,
      description,
      out_trade_no: order.outTradeNo,
      time_expire: rfc3339Cst(order.expiresAt),
      attach,
      notify_url: this.opts.config.notifyUrl,
      amount: { total: order.amountFen, currency: 'CNY' },
    };
  }

  async create(order: CreateOrder): Promise<{ codeUrl: string }> {
    const body = this.nativeOrderBody(order);
    const answer = await this.withRetry('create', (http) => http.call('POST', '/v3/pay/transactions/native', body));
    const parsed = NativeCreateAnswer.safeParse(answer.data);
    if (!parsed.success) throw new PaymentError('BAD_RESPONSE', '微信支付应答格式错误', 'retry');
    log.info('wechatpay_order_created', { outTradeNo: order.outTradeNo, amountFen: order.amountFen, requestId: answer.requestId });
    return { codeUrl: parsed.data.code_url };
  }

  async queryDetail(outTradeNo: string): Promise<TradeDetail> {
    if (!OUT_TRADE_NO_RE.test(outTradeNo)) throw invalid('out_trade_no must be 6–32 of [0-9A-Za-z_-*]');
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.mchid)}`;
    const answer = await this.withRetry('query', (http) => http.call('GET', path));
    const parsed = TransactionWire.safeParse(answer.data);
    if (!parsed.success) throw new PaymentError('BAD_RESPONSE', '微信支付应答格式错误', 'retry');
    const t = parsed.data;
    // A signed answer about another order or merchant is a bug somewhere; never act on it.
    if (t.out_trade_no !== outTradeNo || t.mchid !== this.mchid) throw new PaymentError('RESPONSE_MISMATCH', '微信支付应答与订单不符', 'retry');
    return {
      outTradeNo: t.out_trade_no,
      state: t.trade_state,
      transactionId: t.transaction_id,
      amountFen: t.amount?.total,
      payerTotalFen: t.amount?.payer_total,
      attach: t.attach,
      successTime: t.success_time,
      stateDesc: t.trade_state_desc,
    };
  }

  async query(outTradeNo: string): Promise<TradeStatus> {
    let d: TradeDetail;
    try {
      d = await this.queryDetail(outTradeNo);
    } catch (e) {
      // Only a signed ORDER_NOT_EXIST proves WeChat never saw the trade; an unsigned one is retried.
      if (isNotFound(e) && (e as { verified?: boolean }).verified) return { outTradeNo, state: 'not_found' };
      throw e;
    }
    const s: TradeStatus = { outTradeNo: d.outTradeNo, state: kioskTradeState(d.state) };
    if (d.transactionId !== undefined) s.transactionId = d.transactionId;
    if (d.amountFen !== undefined) s.amountFen = d.amountFen;
    return s;
  }

  /** Closes an unpaid order. Throws PaymentError ORDER_PAID (action 'poll') when it was paid meanwhile. */
  async closeWire(outTradeNo: string): Promise<void> {
    if (!OUT_TRADE_NO_RE.test(outTradeNo)) throw invalid('out_trade_no must be 6–32 of [0-9A-Za-z_-*]');
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    await this.withRetry('close', (http) => http.call('POST', path, { mchid: this.mchid }));
    log.info('wechatpay_order_closed', { outTradeNo });
  }

  /** The kiosk's close: ORDER_PAID → 'paid'; a signed ORDER_NOT_EXIST → 'not_found'; ORDER_CLOSED → 'closed'. */
  async close(outTradeNo: string): Promise<CloseOutcome> {
    try {
      await this.closeWire(outTradeNo);
      return 'closed';
    } catch (e) {
      if (isOrderPaid(e)) return 'paid';
      if (isNotFound(e) && (e as { verified?: boolean }).verified) return 'not_found';
      if (e instanceof PaymentError && e.code.replace(/_/g, '').toUpperCase() === 'ORDERCLOSED') return 'closed';
      throw e;
    }
  }

  /**
   * Close, then query: the customer may have paid between our last poll and the close (notes A1).
   * Returns the settled state: CLOSED, or SUCCESS/REFUND when the payment won the race.
   * An order WeChat never saw (crash before create reached it) settles as CLOSED.
   */
  async closeAndSettle(outTradeNo: string): Promise<TradeDetail> {
    try {
      await this.closeWire(outTradeNo);
    } catch (e) {
      if (!isOrderPaid(e)) throw e;
    }
    try {
      return await this.queryDetail(outTradeNo);
    } catch (e) {
      // Only a signed "does not exist" proves the order was never created.
      if (isNotFound(e) && (e as { verified?: boolean }).verified) return { outTradeNo, state: 'CLOSED' };
      throw e;
    }
  }

  refundBody(req: RefundRequest): Record<string, unknown> {
    if (!OUT_TRADE_NO_RE.test(req.outTradeNo)) throw invalid('out_trade_no must be 6–32 of [0-9A-Za-z_-*]');
    if (!OUT_REFUND_NO_RE.test(req.outRefundNo)) throw invalid('out_refund_no must be 1–64 of [0-9A-Za-z_-|*@]');
    if (!Number.isSafeInteger(req.refundFen) || !Number.isSafeInteger(req.totalFen) || req.refundFen < 1 || req.refundFen > req.totalFen) {
      throw invalid('refund must be 1 fen up to the order total');
    }
    return {
      out_trade_no: req.outTradeNo,
      out_refund_no: req.outRefundNo,
      reason: wechatText(req.reason, 80) || '退款',
      notify_url: this.opts.config.notifyUrl,
      amount: { refund: req.refundFen, total: req.totalFen, currency: 'CNY' },
    };
  }

  /** Starts a refund. Retried with the same out_refund_no, so a retry never becomes a second refund. */
  async refundDetail(req: RefundRequest): Promise<RefundDetail> {
    const body = this.refundBody(req);
    const answer = await this.withRetry('refund', (http) => http.call('POST', '/v3/refund/domestic/refunds', body, 'refund'));
    const d = this.refundFromWire(answer.data, req.outRefundNo);
    log.info('wechatpay_refund', { outTradeNo: req.outTradeNo, outRefundNo: req.outRefundNo, refundFen: req.refundFen, state: d.state });
    return d;
  }

  async refund(req: RefundRequest): Promise<{ state: RefundState }> {
    const d = await this.refundDetail(req);
    return { state: kioskRefundState(d.state) };
  }

  async queryRefundDetail(outRefundNo: string): Promise<RefundDetail> {
    if (!OUT_REFUND_NO_RE.test(outRefundNo)) throw invalid('out_refund_no must be 1–64 of [0-9A-Za-z_-|*@]');
    const answer = await this.withRetry('refund-query', (http) =>
      http.call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`, undefined, 'refund'),
    );
    return this.refundFromWire(answer.data, outRefundNo);
  }

  async queryRefund(outRefundNo: string): Promise<{ state: RefundState }> {
    try {
      const d = await this.queryRefundDetail(outRefundNo);
      return { state: kioskRefundState(d.state) };
    } catch (e) {
      if (isNotFound(e) && (e as { verified?: boolean }).verified) return { state: 'not_found' };
      throw e;
    }
  }

  private refundFromWire(data: unknown, outRefundNo: string): RefundDetail {
    const parsed = RefundWire.safeParse(data);
    if (!parsed.success) throw new PaymentError('BAD_RESPONSE', '微信支付应答格式错误', 'retry');
    const r = parsed.data;
    if (r.out_refund_no !== outRefundNo) throw new PaymentError('RESPONSE_MISMATCH', '微信支付应答与退款单不符', 'retry');
    return {
      state: r.status,
      refundId: r.refund_id,
      outRefundNo: r.out_refund_no,
      outTradeNo: r.out_trade_no,
      refundFen: r.amount?.refund,
      totalFen: r.amount?.total,
      successTime: r.success_time,
    };
  }
}
