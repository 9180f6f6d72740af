// Alipay gateway answers → PaymentError with the action the caller takes (same three as WeChat):
//   retry — repeat the same call with the same out_trade_no / out_request_no;
//   poll  — outcome not known yet: query and act on the verified state;
//   stop  — configuration, signature or business error: do not repeat.
// The public code is `code` (10000 success, 20000 service unavailable, 20001 auth, 40001 missing
// parameter, 40002 invalid parameter, 40004 business failure, 40006 no permission); the business
// reason is `sub_code` (ACQ.TRADE_NOT_EXIST, ACQ.SYSTEM_ERROR, isv.invalid-signature …).
import { PaymentError } from '../types';

const RETRY_SUB = new Set([
  'ACQ.SYSTEM_ERROR',
  'ACQ.SELLER_BALANCE_NOT_ENOUGH', // the merchant's balance heals: retry the refund later with the same number
  'ACQ.REFUND_FEE_ERROR_TEMP',
  'aop.ACQ.SYSTEM_ERROR',
  'isp.unknow-error',
  'isp.unknown-error',
]);

const MESSAGES: Record<string, string> = {
  'ACQ.TRADE_NOT_EXIST': '交易不存在',
  'ACQ.TRADE_HAS_SUCCESS': '交易已支付',
  'ACQ.TRADE_HAS_CLOSE': '交易已关闭，请重新下单',
  'ACQ.TRADE_STATUS_ERROR': '交易状态不允许此操作',
  'ACQ.CONTEXT_INCONSISTENT': '交易信息与首次请求不一致',
  'ACQ.SYSTEM_ERROR': '支付宝系统繁忙，请稍候',
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': '商户余额不足，退款稍后重试',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': '退款金额超过可退金额',
  'ACQ.DISCORDANT_REPEAT_REQUEST': '退款请求与首次请求不一致',
  'ACQ.INVALID_PARAMETER': '支付参数错误',
  'ACQ.ACCESS_FORBIDDEN': '商户无此接口权限',
  'isv.invalid-signature': '支付宝签名错误，请联系工作人员检查应用私钥',
  'isv.invalid-app-id': '支付宝应用 ID 无效',
  'isv.app-cert-sn-invalid': '应用公钥证书序列号无效',
  'isv.alipay-root-cert-sn-invalid': '支付宝根证书序列号无效',
  RESPONSE_SIGNATURE_INVALID: '支付宝应答签名校验失败',
  NETWORK_ERROR: '网络异常，请稍候',
};

export function alipayMessage(code: string): string {
  return MESSAGES[code] ?? '支付服务异常，请联系工作人员';
}

export function classifyAlipay(code: string, subCode: string | undefined): PaymentError['action'] {
  if (subCode && RETRY_SUB.has(subCode)) return 'retry';
  if (code === '20000') return 'retry';
  return 'stop';
}

/** An error answer. `verified`: it carried a valid Alipay signature (only then is TRADE_NOT_EXIST proof). */
export function alipayError(code: string, subCode: string | undefined, subMsg: string | undefined, verified: boolean): PaymentError {
  const c = subCode || `ALIPAY_${code}`;
  const e = new PaymentError(c, alipayMessage(c), classifyAlipay(code, subCode));
  Object.assign(e, { status: Number(code), verified, reason: subMsg });
  return e;
}

export function networkError(cause: unknown): PaymentError {
  const e = new PaymentError('NETWORK_ERROR', alipayMessage('NETWORK_ERROR'), 'retry');
  Object.assign(e, { cause });
  return e;
}

/** The answer's signature did not verify (forged, proxied, or the wrong Alipay key): its content is not trusted. */
export function signatureError(reason: string): PaymentError {
  const e = new PaymentError('RESPONSE_SIGNATURE_INVALID', alipayMessage('RESPONSE_SIGNATURE_INVALID'), 'retry');
  Object.assign(e, { reason });
  return e;
}

export const isTradeNotExist = (e: unknown): boolean =>
  e instanceof PaymentError && e.code === 'ACQ.TRADE_NOT_EXIST' && (e as { verified?: boolean }).verified === true;
