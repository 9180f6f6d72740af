// Alipay 当面付 (face-to-face, the customer scans the kiosk's QR) as a PaymentProvider:
// alipay.trade.precreate → qr_code, alipay.trade.query, alipay.trade.close, alipay.trade.refund,
// alipay.trade.fastpay.refund.query. Every request is RSA2-signed; every answer's signature is
// verified over the raw `*_response` node before anything in it is used. Alipay's states and codes
// are translated here into the kiosk's (types.ts); nothing outside this folder reads them.
import { request, type Dispatcher } from 'undici';
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
import type { AlipayConfig, AlipayCredentials } from './config';
import { alipayError, isTradeNotExist, networkError, signatureError } from './errors';
import { alipayTimestamp, fenToYuan, responseNode, rsa2Verify, signRequest, yuanToFen } from './signing';

const log = logger('alipay');

/** out_trade_no: up to 64 of letters, digits and underscore; out_request_no likewise. */
export const ALIPAY_TRADE_NO_RE = /^[0-9A-Za-z_]{1,64}$/;
export const ALIPAY_REQUEST_NO_RE = /^[0-9A-Za-z_]{1,64}$/;

export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';

export interface AlipayTradeDetail {
  outTradeNo: string;
  /** Alipay's trade_status (the CLI prints it). */
  tradeStatus: AlipayTradeStatus;
  state: TradeState;
  tradeNo?: string;
  amountFen?: number;
  buyerPayFen?: number;
  sendPayDate?: string;
  buyerLogonId?: string;
}

export interface AlipayRefundDetail {
  state: RefundState;
  outTradeNo: string;
  outRequestNo: string;
  tradeNo?: string;
  refundFen?: number;
  /** refund: whether this call moved money (Y) or repeated an earlier one (N). */
  fundChange?: string;
  refundStatus?: string;
  gmtRefundPay?: string;
}

export interface AlipayProviderOptions {
  config: AlipayConfig;
  credentials: AlipayCredentials;
  maxAttempts?: number;
  backoffMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const invalid = (message: string) => new PaymentError('PARAM_ERROR', message, 'stop');

/** The system parameters go in the URL, biz_content in the form body (as the official SDKs send them). */
const URL_PARAMS = new Set(['app_id', 'method', 'format', 'charset', 'sign_type', 'sign', 'timestamp', 'version', 'notify_url', 'app_cert_sn', 'alipay_root_cert_sn']);

/** Alipay's trade status in the kiosk's words. A TRADE_CLOSED trade that has a payment date was paid and then fully refunded. */
export function kioskTradeState(status: AlipayTradeStatus, sendPayDate: string | undefined): TradeState {
  switch (status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return 'paid';
    case 'WAIT_BUYER_PAY':
      return 'pending';
    default:
      return sendPayDate ? 'refunded' : 'closed';
  }
}

export class AlipayProvider implements PaymentProvider {
  readonly name = 'alipay';
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: AlipayProviderOptions) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
    this.backoffMs = opts.backoffMs ?? 300;
  }

  /** The signed form for one call: what goes on the wire (exported for the signing cross-check). */
  signedParams(method: string, biz: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string> {
    const c = this.opts.credentials;
    const params: Record<string, string> = {
      app_id: c.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: alipayTimestamp(new Date(this.opts.now?.() ?? Date.now())),
      version: '1.0',
      ...extra,
      biz_content: JSON.stringify(biz),
    };
    if (c.mode === 'certificate') {
      params.app_cert_sn = c.appCertSn!;
      params.alipay_root_cert_sn = c.alipayRootCertSn!;
    }
    return signRequest(params, c.privateKey);
  }

  /** One call: sign, send, verify the answer's signature, return the node when code is 10000. */
  private async callOnce(method: string, biz: Record<string, unknown>, extra?: Record<string, string>): Promise<Record<string, unknown>> {
    const params = this.signedParams(method, biz, extra);
    const url = new URL(this.opts.config.endpoint);
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (URL_PARAMS.has(k)) url.searchParams.set(k, v);
      else form.set(k, v);
    }
    let status: number;
    let body: string;
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json', 'user-agent': 'tuanyuan-kiosk/alipay' },
        body: form.toString(),
        dispatcher: this.opts.dispatcher,
        headersTimeout: this.opts.config.requestTimeoutMs,
        bodyTimeout: this.opts.config.requestTimeoutMs,
      });
      status = res.statusCode;
      body = await res.body.text();
    } catch (e) {
      throw networkError(e);
    }
    if (status >= 500) throw Object.assign(new PaymentError(`HTTP_${status}`, '支付宝系统繁忙，请稍候', 'retry'), { status });
    const node = responseNode(body, method);
    if (!node) throw Object.assign(new PaymentError('BAD_RESPONSE', '支付宝应答格式错误', 'retry'), { status });
    let verified = false;
    if (node.sign) {
      const c = this.opts.credentials;
      if (c.mode === 'certificate' && node.certSn && node.certSn !== c.alipayCertSn) {
        // Alipay rotated its certificate: the new one must be downloaded and configured; nothing is trusted until then.
        throw signatureError(`answer signed by certificate ${node.certSn}, configured ${c.alipayCertSn}`);
      }
      if (!rsa2Verify(node.raw, node.sign, c.alipayPublicKey)) throw signatureError('signature does not verify');
      verified = true;
    }
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(node.raw) as Record<string, unknown>;
    } catch {
      throw new PaymentError('BAD_RESPONSE', '支付宝应答格式错误', 'retry');
    }
    const code = String(data.code ?? '');
    if (code === '10000') {
      // Success is trusted only when signed.
      if (!verified) throw signatureError('success answer without a signature');
      return data;
    }
    const e = alipayError(code, typeof data.sub_code === 'string' ? data.sub_code : undefined, typeof data.sub_msg === 'string' ? data.sub_msg : undefined, verified);
    log.warn('alipay_error', { method, code, subCode: data.sub_code, action: e.action, verified });
    throw e;
  }

  /** Repeats a call (same out_trade_no / out_request_no) while Alipay says "retry". */
  private async call(method: string, biz: Record<string, unknown>, extra?: Record<string, string>): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callOnce(method, biz, extra);
      } catch (e) {
        if (!(e instanceof PaymentError) || e.action !== 'retry' || attempt >= this.maxAttempts) throw e;
        const wait = this.backoffMs * 2 ** (attempt - 1);
        log.info('alipay_retry', { method, code: e.code, attempt, waitMs: wait });
        await sleep(wait);
      }
    }
  }

  /** The precreate body, deterministic for an order so a retry after a crash is the same request. */
  precreateBody(order: CreateOrder): Record<string, unknown> {
    if (!ALIPAY_TRADE_NO_RE.test(order.outTradeNo)) throw invalid('out_trade_no must be 1–64 of [0-9A-Za-z_]');
    if (!Number.isSafeInteger(order.amountFen) || order.amountFen < 1 || order.amountFen > 10_000_000_000) throw invalid('amount must be a whole number of fen ≥ 1');
    if (!(order.expiresAt instanceof Date) || Number.isNaN(order.expiresAt.getTime())) throw invalid('expiresAt is not a date');
    return {
      out_trade_no: order.outTradeNo,
      total_amount: fenToYuan(order.amountFen),
      subject: (order.description || '团圆照相馆').slice(0, 256),
      body: order.attach.slice(0, 128),
      product_code: 'FACE_TO_FACE_PAYMENT',
      time_expire: alipayTimestamp(order.expiresAt),
      ...(this.opts.config.sellerId ? { seller_id: this.opts.config.sellerId } : {}),
    };
  }

  async create(order: CreateOrder): Promise<{ codeUrl: string }> {
    const biz = this.precreateBody(order);
    const extra = this.opts.config.notifyUrl ? { notify_url: this.opts.config.notifyUrl } : undefined;
    const data = await this.call('alipay.trade.precreate', biz, extra);
    if (data.out_trade_no !== order.outTradeNo || typeof data.qr_code !== 'string' || !data.qr_code) {
      throw new PaymentError('RESPONSE_MISMATCH', '支付宝应答与订单不符', 'retry');
    }
    log.info('alipay_order_created', { outTradeNo: order.outTradeNo, amountFen: order.amountFen });
    return { codeUrl: data.qr_code };
  }

  async queryDetail(outTradeNo: string): Promise<AlipayTradeDetail> {
    if (!ALIPAY_TRADE_NO_RE.test(outTradeNo)) throw invalid('out_trade_no must be 1–64 of [0-9A-Za-z_]');
    const d = await this.call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (d.out_trade_no !== outTradeNo) throw new PaymentError('RESPONSE_MISMATCH', '支付宝应答与订单不符', 'retry');
    const tradeStatus = d.trade_status as AlipayTradeStatus;
    if (!['WAIT_BUYER_PAY', 'TRADE_CLOSED', 'TRADE_SUCCESS', 'TRADE_FINISHED'].includes(tradeStatus)) {
      throw new PaymentError('BAD_RESPONSE', '支付宝应答格式错误', 'retry');
    }
    const sendPayDate = typeof d.send_pay_date === 'string' && d.send_pay_date ? d.send_pay_date : undefined;
    return {
      outTradeNo,
      tradeStatus,
      state: kioskTradeState(tradeStatus, sendPayDate),
      tradeNo: typeof d.trade_no === 'string' ? d.trade_no : undefined,
      amountFen: yuanToFen(d.total_amount as string | undefined),
      buyerPayFen: yuanToFen(d.buyer_pay_amount as string | undefined),
      sendPayDate,
      buyerLogonId: typeof d.buyer_logon_id === 'string' ? d.buyer_logon_id : undefined,
    };
  }

  /** A precreated trade exists at Alipay only once scanned: until then a signed TRADE_NOT_EXIST is 'not_found'. */
  async query(outTradeNo: string): Promise<TradeStatus> {
    try {
      const d = await this.queryDetail(outTradeNo);
      const s: TradeStatus = { outTradeNo, state: d.state };
      if (d.tradeNo) s.transactionId = d.tradeNo;
      if (d.amountFen !== undefined) s.amountFen = d.amountFen;
      return s;
    } catch (e) {
      if (isTradeNotExist(e)) return { outTradeNo, state: 'not_found' };
      throw e;
    }
  }

  async close(outTradeNo: string): Promise<CloseOutcome> {
    if (!ALIPAY_TRADE_NO_RE.test(outTradeNo)) throw invalid('out_trade_no must be 1–64 of [0-9A-Za-z_]');
    try {
      await this.call('alipay.trade.close', { out_trade_no: outTradeNo });
      log.info('alipay_order_closed', { outTradeNo });
      return 'closed';
    } catch (e) {
      if (isTradeNotExist(e)) return 'not_found';
      // Paid, finished or already closed: Alipay says only "status error"; the trade itself tells which.
      if (e instanceof PaymentError && e.code === 'ACQ.TRADE_STATUS_ERROR') {
        const q = await this.query(outTradeNo);
        return q.state === 'paid' || q.state === 'refunded' ? 'paid' : 'closed';
      }
      throw e;
    }
  }

  /** Close, then query: the settled trade (the CLI's close). */
  async closeAndSettle(outTradeNo: string): Promise<{ outcome: CloseOutcome; detail: AlipayTradeDetail | null }> {
    const outcome = await this.close(outTradeNo);
    try {
      return { outcome, detail: await this.queryDetail(outTradeNo) };
    } catch (e) {
      if (isTradeNotExist(e)) return { outcome, detail: null };
      throw e;
    }
  }

  async refundDetail(req: RefundRequest): Promise<AlipayRefundDetail> {
    if (!ALIPAY_TRADE_NO_RE.test(req.outTradeNo)) throw invalid('out_trade_no must be 1–64 of [0-9A-Za-z_]');
    if (!ALIPAY_REQUEST_NO_RE.test(req.outRefundNo)) throw invalid('out_request_no must be 1–64 of [0-9A-Za-z_]');
    if (!Number.isSafeInteger(req.refundFen) || !Number.isSafeInteger(req.totalFen) || req.refundFen < 1 || req.refundFen > req.totalFen) {
      throw invalid('refund must be 1 fen up to the order total');
    }
    const d = await this.call('alipay.trade.refund', {
      out_trade_no: req.outTradeNo,
      refund_amount: fenToYuan(req.refundFen),
      out_request_no: req.outRefundNo,
      refund_reason: (req.reason || '退款').slice(0, 256),
    });
    if (d.out_trade_no !== undefined && d.out_trade_no !== req.outTradeNo) throw new PaymentError('RESPONSE_MISMATCH', '支付宝应答与订单不符', 'retry');
    const fundChange = typeof d.fund_change === 'string' ? d.fund_change : undefined;
    let state: RefundState = 'success';
    if (fundChange !== 'Y') {
      // N is not a failure: a repeat of a refund already made, or one still settling. The refund query tells.
      state = (await this.queryRefundDetail(req.outRefundNo, req.outTradeNo)).state;
      if (state === 'not_found') state = 'processing';
    }
    log.info('alipay_refund', { outTradeNo: req.outTradeNo, outRequestNo: req.outRefundNo, refundFen: req.refundFen, fundChange, state });
    return {
      state,
      outTradeNo: req.outTradeNo,
      outRequestNo: req.outRefundNo,
      tradeNo: typeof d.trade_no === 'string' ? d.trade_no : undefined,
      refundFen: req.refundFen,
      fundChange,
    };
  }

  async refund(req: RefundRequest): Promise<{ state: RefundState }> {
    return { state: (await this.refundDetail(req)).state };
  }

  async queryRefundDetail(outRequestNo: string, outTradeNo: string): Promise<AlipayRefundDetail> {
    if (!ALIPAY_TRADE_NO_RE.test(outTradeNo)) throw invalid('out_trade_no must be 1–64 of [0-9A-Za-z_]');
    if (!ALIPAY_REQUEST_NO_RE.test(outRequestNo)) throw invalid('out_request_no must be 1–64 of [0-9A-Za-z_]');
    let d: Record<string, unknown>;
    try {
      d = await this.call('alipay.trade.fastpay.refund.query', { out_trade_no: outTradeNo, out_request_no: outRequestNo, query_options: ['gmt_refund_pay'] });
    } catch (e) {
      if (isTradeNotExist(e)) return { state: 'not_found', outTradeNo, outRequestNo };
      throw e;
    }
    // Alipay: an answer with the refund amount (and refund_status REFUND_SUCCESS or none) means refunded;
    // an answer without it means no refund under that number.
    const refundFen = yuanToFen(d.refund_amount as string | undefined);
    const refundStatus = typeof d.refund_status === 'string' ? d.refund_status : undefined;
    const state: RefundState = refundFen === undefined ? 'not_found' : !refundStatus || refundStatus === 'REFUND_SUCCESS' ? 'success' : 'processing';
    return {
      state,
      outTradeNo,
      outRequestNo,
      tradeNo: typeof d.trade_no === 'string' ? d.trade_no : undefined,
      refundFen,
      refundStatus,
      gmtRefundPay: typeof d.gmt_refund_pay === 'string' ? d.gmt_refund_pay : undefined,
    };
  }

  async queryRefund(outRefundNo: string, outTradeNo: string): Promise<{ state: RefundState }> {
    return { state: (await this.queryRefundDetail(outRefundNo, outTradeNo)).state };
  }
}
