// Payment / refund notifications for deployments that have a public notify_url.
// Order of checks (notes A2): signature first (probes with WECHATPAY/SIGNTEST/ fail here), then
// AES-256-GCM decryption with the APIv3 key, then the content against our own order.
// The answer to send back is part of the result, so the HTTP route stays a thin adapter.
import type { KeyObject } from 'node:crypto';
import { aesGcmDecrypt } from './aead';
import { verifyWechatpaySignature } from './signing';
import { NotificationWire, RefundWire, TransactionWire, type RefundWire as RefundWireT, type TransactionWire as TransactionWireT } from './wire';

export interface NotificationContext {
  verifierKeys: ReadonlyMap<string, KeyObject>;
  apiv3Key: string;
  mchid: string;
  appid?: string;
  /** Our own record of the order: amount in fen. Undefined = we do not know this out_trade_no. */
  expectedOrder(outTradeNo: string): { amountFen: number } | undefined;
  now?: number;
}

export type NotificationResult =
  | { ok: true; kind: 'transaction'; eventId: string; eventType: string; transaction: TransactionWireT }
  | { ok: true; kind: 'refund'; eventId: string; eventType: string; refund: RefundWireT }
  | { ok: false; reason: NotificationRejection };

export type NotificationRejection =
  | 'SIGNTEST_PROBE'
  | 'MISSING_HEADERS'
  | 'UNKNOWN_SERIAL'
  | 'TIMESTAMP_SKEW'
  | 'BAD_SIGNATURE'
  | 'MALFORMED'
  | 'DECRYPT_FAILED'
  | 'WRONG_MERCHANT'
  | 'UNKNOWN_ORDER'
  | 'AMOUNT_MISMATCH';

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(h: HeaderBag, name: string): string | undefined {
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const bag = h as Record<string, string | string[] | undefined>;
  const v = bag[name] ?? bag[name.toLowerCase()] ?? Object.entries(bag).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

export function parseNotification(headers: HeaderBag, rawBody: Buffer | string, ctx: NotificationContext): NotificationResult {
  const v = verifyWechatpaySignature(
    {
      timestamp: header(headers, 'wechatpay-timestamp'),
      nonce: header(headers, 'wechatpay-nonce'),
      signature: header(headers, 'wechatpay-signature'),
      serial: header(headers, 'wechatpay-serial'),
    },
    rawBody,
    ctx.verifierKeys,
    ctx.now,
  );
  if (!v.ok) return { ok: false, reason: v.reason };

  let envelope: NotificationWire;
  try {
    const parsed = NotificationWire.safeParse(JSON.parse(Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody));
    if (!parsed.success) return { ok: false, reason: 'MALFORMED' };
    envelope = parsed.data;
  } catch {
    return { ok: false, reason: 'MALFORMED' };
  }
  const r = envelope.resource;
  const plain = aesGcmDecrypt(r.ciphertext, ctx.apiv3Key, r.nonce, r.associated_data);
  if (plain === null) return { ok: false, reason: 'DECRYPT_FAILED' };
  let content: unknown;
  try {
    content = JSON.parse(plain);
  } catch {
    return { ok: false, reason: 'MALFORMED' };
  }

  if (envelope.event_type.startsWith('REFUND.')) {
    // The refund notification names its state `refund_status`; the refund API calls it `status`.
    const c = content && typeof content === 'object' ? (content as Record<string, unknown>) : {};
    const normalised = c.status === undefined && c.refund_status !== undefined ? { ...c, status: c.refund_status } : c;
    const refund = RefundWire.extend({ mchid: RefundWire.shape.refund_id.optional() }).safeParse(normalised);
    if (!refund.success) return { ok: false, reason: 'MALFORMED' };
    if (refund.data.mchid !== undefined && refund.data.mchid !== ctx.mchid) return { ok: false, reason: 'WRONG_MERCHANT' };
    const outTradeNo = refund.data.out_trade_no;
    if (!outTradeNo || !ctx.expectedOrder(outTradeNo)) return { ok: false, reason: 'UNKNOWN_ORDER' };
    return { ok: true, kind: 'refund', eventId: envelope.id, eventType: envelope.event_type, refund: refund.data };
  }

  const t = TransactionWire.safeParse(content);
  if (!t.success) return { ok: false, reason: 'MALFORMED' };
  const tx = t.data;
  if (tx.mchid !== ctx.mchid || (ctx.appid !== undefined && tx.appid !== undefined && tx.appid !== ctx.appid)) {
    return { ok: false, reason: 'WRONG_MERCHANT' };
  }
  const expected = ctx.expectedOrder(tx.out_trade_no);
  if (!expected) return { ok: false, reason: 'UNKNOWN_ORDER' };
  if (tx.amount?.total !== expected.amountFen) return { ok: false, reason: 'AMOUNT_MISMATCH' };
  return { ok: true, kind: 'transaction', eventId: envelope.id, eventType: envelope.event_type, transaction: tx };
}

/**
 * The HTTP answer for a notification. Accepted → 204. Rejected → 4xx with {"code":"FAIL"}, so WeChat
 * retries (a probe must get non-2xx). An unknown order is also answered 4xx: WeChat retries for
 * about 24 h, which covers a notification that raced our own database write.
 */
export function notificationAnswer(r: NotificationResult): { status: number; body: string } {
  if (r.ok) return { status: 204, body: '' };
  const status = r.reason === 'DECRYPT_FAILED' || r.reason === 'MALFORMED' || r.reason === 'AMOUNT_MISMATCH' ? 400 : 401;
  return { status, body: JSON.stringify({ code: 'FAIL', message: r.reason }) };
}
