// Alipay's asynchronous notification (trade_status_sync): a form POST to notify_url, signed over
// the sorted parameters without sign and sign_type. The kiosk polls (it is usually behind NAT); a
// backend or a kiosk with a public address can use this to look at once. Only a verified
// notification for our app id is acted on, and only as "look now": the state comes from a query.
import type { KeyObject } from 'node:crypto';
import { verifyNotification } from './signing';

export interface AlipayNotification {
  outTradeNo: string;
  tradeStatus: string;
  tradeNo?: string;
  totalAmount?: string;
  notifyId?: string;
}

export type AlipayNotificationResult = { ok: true; notification: AlipayNotification } | { ok: false; reason: string };

/** Parses and verifies a notification body (application/x-www-form-urlencoded, UTF-8). */
export function parseAlipayNotification(body: string, ctx: { appId: string; alipayPublicKey: KeyObject }): AlipayNotificationResult {
  const form: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) form[k] = v;
  if (!verifyNotification(form, ctx.alipayPublicKey)) return { ok: false, reason: 'signature' };
  if (form.app_id !== ctx.appId) return { ok: false, reason: 'app_id' };
  if (!form.out_trade_no || !form.trade_status) return { ok: false, reason: 'fields' };
  return {
    ok: true,
    notification: {
      outTradeNo: form.out_trade_no,
      tradeStatus: form.trade_status,
      tradeNo: form.trade_no,
      totalAmount: form.total_amount,
      notifyId: form.notify_id,
    },
  };
}

/** What Alipay must read back: the plain text "success", or it retries (up to 8 times over 25 h). */
export const notificationAnswer = (ok: boolean): string => (ok ? 'success' : 'failure');
