// Turns an HTTP status + WeChat error code into a PaymentError with the action the caller takes:
//   retry — repeat the same call with the same parameters (idempotent by out_trade_no / out_refund_no);
//   poll  — the outcome is not known yet or is "already paid": query and act on the verified state;
//   stop  — configuration, signature or business error: do not repeat; show/log it.
// Codes are parsed in both spellings (SYSTEM_ERROR and v2-era SYSTEMERROR), notes A2.
import { PaymentError } from '../types';

type Action = PaymentError['action'];

/** Underscore-free upper case, so ORDER_PAID and ORDERPAID compare equal. */
const norm = (code: string) => code.toUpperCase().replace(/_/g, '');

const RETRY = new Set(
  ['SYSTEM_ERROR', 'BANK_ERROR', 'FREQUENCY_LIMITED', 'RATELIMIT_EXCEEDED', 'SERVICE_UNAVAILABLE', 'BIZERR_NEED_RETRY'].map(norm),
);
const POLL = new Set(['ORDER_PAID', 'USER_PAYING'].map(norm));

/** Chinese text for the kiosk screen / operator, by code. Logs carry the code itself. */
const MESSAGES: Record<string, string> = {
  ORDERPAID: '订单已支付',
  ORDERCLOSED: '订单已关闭，请重新下单',
  ORDERNOTEXIST: '订单不存在',
  RESOURCENOTEXISTS: '退款单不存在',
  SIGNERROR: '支付签名错误，请联系工作人员检查商户证书与系统时间',
  FREQUENCYLIMITED: '支付请求过于频繁，请稍候',
  RATELIMITEXCEEDED: '支付请求过于频繁，请稍候',
  SYSTEMERROR: '微信支付系统繁忙，请稍候',
  NOTENOUGH: '商户余额不足，退款稍后重试',
  NOAUTH: '商户无此接口权限',
  PARAMERROR: '支付参数错误',
  INVALIDREQUEST: '支付请求无效',
  APPIDMCHIDNOTMATCH: '商户号与AppID不匹配',
  RESPONSESIGNATUREINVALID: '微信支付应答签名校验失败',
  NETWORKERROR: '网络异常，请稍候',
};

export function paymentMessage(code: string): string {
  return MESSAGES[norm(code)] ?? '支付服务异常，请联系工作人员';
}

/** Classification of a WeChat Pay error answer (status ≥ 300 with {code, message}). */
export function classifyWeChatError(status: number, code: string | undefined, context: 'trade' | 'refund' = 'trade'): Action {
  const c = norm(code ?? '');
  if (POLL.has(c)) return 'poll';
  // NOT_ENOUGH on a refund is the merchant's balance: it heals, retry later with the same out_refund_no.
  // On an order it is the payer's business rule: stop.
  if (c === 'NOTENOUGH') return context === 'refund' ? 'retry' : 'stop';
  if (RETRY.has(c)) return 'retry';
  if (status === 429 || status === 500 || status === 502 || status === 503 || status === 504) {
    // 500 INVALID_TRANSACTIONID / OPENID_MISMATCH are bugs, not weather (notes A2 table).
    if (c === 'INVALIDTRANSACTIONID' || c === 'OPENIDMISMATCH') return 'stop';
    return 'retry';
  }
  if (status === 202) return 'poll';
  return 'stop';
}

export function weChatError(
  status: number,
  code: string | undefined,
  requestId?: string,
  context: 'trade' | 'refund' = 'trade',
): PaymentError {
  const c = code && code.length > 0 ? code : `HTTP_${status}`;
  const e = new PaymentError(c, paymentMessage(c), classifyWeChatError(status, code, context));
  Object.assign(e, { status, requestId });
  return e;
}

/** A transport failure: the request may or may not have reached WeChat, so the same call is repeated. */
export function networkError(cause: unknown): PaymentError {
  const e = new PaymentError('NETWORK_ERROR', paymentMessage('NETWORK_ERROR'), 'retry');
  Object.assign(e, { cause });
  return e;
}

/**
 * The answer did not carry a valid WeChat signature (forged, proxied, or our clock is off).
 * Its content is not trusted; every call we make is idempotent, so the same call may be repeated.
 */
export function signatureError(reason: string, requestId?: string): PaymentError {
  const e = new PaymentError('RESPONSE_SIGNATURE_INVALID', paymentMessage('RESPONSE_SIGNATURE_INVALID'), 'retry');
  Object.assign(e, { reason, requestId });
  return e;
}

export const isOrderPaid = (e: unknown): boolean => e instanceof PaymentError && norm(e.code) === 'ORDERPAID';
export const isNotFound = (e: unknown): boolean =>
  e instanceof PaymentError && (norm(e.code) === 'ORDERNOTEXIST' || norm(e.code) === 'RESOURCENOTEXISTS');
