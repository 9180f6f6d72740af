// The JSON shapes the kiosk reads from WeChat Pay. Unknown keys are allowed (WeChat adds fields).
import { z } from 'zod';

export const NativeCreateAnswer = z.object({ code_url: z.string().min(1).max(2048) });

export const TradeStateWire = z.enum(['NOTPAY', 'USERPAYING', 'SUCCESS', 'CLOSED', 'REFUND', 'REVOKED', 'PAYERROR']);

export const TransactionWire = z.object({
  appid: z.string().optional(),
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  trade_type: z.string().optional(),
  trade_state: TradeStateWire,
  trade_state_desc: z.string().optional(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: z.string().optional(),
  payer: z.object({ openid: z.string().optional() }).optional(),
  amount: z
    .object({
      total: z.number().int().optional(),
      payer_total: z.number().int().optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
});
export type TransactionWire = z.infer<typeof TransactionWire>;

export const RefundStatusWire = z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']);

export const RefundWire = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  transaction_id: z.string().optional(),
  out_trade_no: z.string().optional(),
  channel: z.string().optional(),
  user_received_account: z.string().optional(),
  success_time: z.string().optional(),
  create_time: z.string().optional(),
  status: RefundStatusWire,
  amount: z.object({ total: z.number().int(), refund: z.number().int() }).loose().optional(),
});
export type RefundWire = z.infer<typeof RefundWire>;

export const NotificationWire = z.object({
  id: z.string(),
  create_time: z.string().optional(),
  resource_type: z.string().optional(),
  event_type: z.string(),
  summary: z.string().optional(),
  resource: z.object({
    original_type: z.string().optional(),
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string().min(1),
    associated_data: z.string().optional().default(''),
  }),
});
export type NotificationWire = z.infer<typeof NotificationWire>;

/** RFC 3339 in China Standard Time, e.g. 2026-01-28T12:00:00+08:00 — deterministic for a given instant. */
export function rfc3339Cst(d: Date): string {
  const t = new Date(Math.floor(d.getTime() / 1000) * 1000 + 8 * 3600_000);
  return t.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** WeChat accepts 1–3-byte UTF-8 only: drop astral characters (emoji) and control characters. */
export function wechatText(s: string, maxChars: number): string {
  return Array.from(s.replace(/[\u0000-\u001f\u007f]/g, ' ')).filter((ch) => (ch.codePointAt(0) ?? 0) <= 0xffff).slice(0, maxChars).join('').trim();
}

export const OUT_TRADE_NO_RE = /^[0-9A-Za-z_\-*]{6,32}$/;
export const OUT_REFUND_NO_RE = /^[0-9A-Za-z_\-|*@]{1,64}$/;

export type TradeStateWire = z.infer<typeof TradeStateWire>;
export type RefundStatusWire = z.infer<typeof RefundStatusWire>;
