// A protocol-faithful WeChat Pay APIv3 (Native) simulator on node:http, loopback only.
// It holds real RSA key pairs (the merchant's — whose private half it writes for the kiosk — and
// WeChat's: a PUB_KEY_ID_ public key and/or a self-signed platform certificate), checks every
// request signature, signs every answer, keeps the order and refund state machines and their
// "books" (what was paid and refunded), serves a scan-and-pay page at the code_url it returns,
// sends encrypted notifications with the retry schedule (compressed in time), and injects faults.
// It is a test and development tool; production talks to api.mch.weixin.qq.com.
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { request as undiciRequest } from 'undici';
import { aesGcmEncrypt } from '../../main/services/payment/wechatpay/aead';
import { MAX_CLOCK_SKEW_S, newNonce, parseAuthorization, requestMessage, responseMessage, rsaSign, rsaVerify, unixSeconds } from '../../main/services/payment/wechatpay/signing';
import { OUT_REFUND_NO_RE, OUT_TRADE_NO_RE, rfc3339Cst } from '../../main/services/payment/wechatpay/wire';
import { selfSignedCertificate } from '../x509';
import { isLoopbackUrl } from '../loopback';

export type SimTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
export type SimRefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export type Fault =
  /** Answer 500 SYSTEM_ERROR without touching state. */
  | { kind: 'server-error'; times?: number; path?: string }
  /** Answer 429 FREQUENCY_LIMITED. */
  | { kind: 'rate-limit'; times?: number; path?: string }
  /** Hold the answer for `ms` then drop the connection. With process=true the request takes effect first (lost answer). */
  | { kind: 'timeout'; times?: number; path?: string; ms?: number; process?: boolean }
  /** Process normally, but send a signature that does not verify. */
  | { kind: 'bad-signature'; times?: number; path?: string }
  /** Process normally, but sign with the WECHATPAY/SIGNTEST/ probe marker. */
  | { kind: 'signtest'; times?: number; path?: string }
  /** Answer any signed error without touching state, e.g. 403 NO_AUTH or 503 SERVICE_UNAVAILABLE. */
  | { kind: 'error'; status: number; code: string; message?: string; times?: number; path?: string };

export interface SimOrder {
  outTradeNo: string;
  appid: string;
  mchid: string;
  description: string;
  attach?: string;
  notifyUrl?: string;
  amountFen: number;
  timeExpire?: number;
  state: SimTradeState;
  createdAt: number;
  transactionId?: string;
  successTime?: string;
  payerOpenid?: string;
  closedAt?: number;
  closedBy?: 'merchant' | 'expiry';
  /** Canonical JSON of the first create body: identical re-entry returns the same code_url. */
  canonicalBody: string;
  codeToken: string;
}

export interface SimRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId?: string;
  refundFen: number;
  totalFen: number;
  reason?: string;
  notifyUrl?: string;
  status: SimRefundStatus;
  createTime: string;
  successTime?: string;
  canonicalBody: string;
}

export interface Books {
  orders: Array<{
    outTradeNo: string;
    amountFen: number;
    state: SimTradeState;
    attach?: string;
    transactionId?: string;
    paid: boolean;
    refundedFen: number;
    refundCount: number;
  }>;
  refunds: Array<{ outRefundNo: string; outTradeNo: string; refundFen: number; status: SimRefundStatus }>;
  totals: { orders: number; paidCount: number; paidFen: number; refundCount: number; refundedFen: number; closedCount: number };
}

export interface SimRequestRecord {
  method: string;
  path: string;
  status: number;
  code?: string;
  fault?: Fault['kind'];
}

export interface WeChatPaySimulatorOptions {
  port?: number;
  /** 'both' = migration ramp: answers follow the request's Wechatpay-Serial, notifications mix both keys. */
  mode?: 'public-key' | 'certificate' | 'both';
  mchid?: string;
  appid?: string;
  apiv3Key?: string;
  /** Directory to write the kiosk-side key files and env file into. */
  keyDir?: string;
  /** Where the kiosk is told to point notify_url (config); only loopback URLs actually receive notifications. */
  notifyUrl?: string;
  /** Refund PROCESSING → SUCCESS after this many ms. Default 100. */
  refundDelayMs?: number;
  /** Notification retry delays (ms). Default: the real 15 s … 6 h schedule divided by 1000. */
  notifyScheduleMs?: number[];
  /** Pay every order automatically this many ms after it is created (hands-free demo). */
  autoPayAfterMs?: number;
}

export interface WeChatPaySimulator {
  url: string;
  mchid: string;
  appid: string;
  apiv3Key: string;
  merchantSerial: string;
  publicKeyId?: string;
  platformSerial?: string;
  files: { dir?: string; privateKeyFile?: string; publicKeyFile?: string; platformCertFile?: string; envFile?: string; configFile?: string };
  /** WECHATPAY_* variables that point a kiosk at this simulator. */
  env: Record<string, string>;
  /** Key material, for tests that build the kiosk side in-process. */
  keys: { merchantPrivateKeyPem: string; publicKeyPem?: string; platformCertPem?: string };
  /** The customer scans and pays. Throws when the order cannot be paid (unknown, closed, paid). */
  pay(outTradeNo: string): Promise<void>;
  books(): Books;
  order(outTradeNo: string): SimOrder | undefined;
  refunds(): SimRefund[];
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Shift the simulator's clock (seconds) — its signatures and its signature checks use it. */
  setClockSkew(seconds: number): void;
  /** Let time pass for time_expire without waiting. */
  advanceTime(ms: number): void;
  /** Send a WECHATPAY/SIGNTEST/ probe to a notify URL; returns the HTTP status the kiosk answered. */
  probeNotify(url: string): Promise<number>;
  /** Every notification attempt: url, event, status (0 = not delivered). */
  notifications(): Array<{ url: string; eventType: string; outTradeNo: string; attempt: number; status: number }>;
  requests(): SimRequestRecord[];
  close(): Promise<void>;
}

const REAL_NOTIFY_SCHEDULE_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const hex = (n: number) => randomBytes(n).toString('hex').toUpperCase();

export async function startWeChatPaySimulator(opts: WeChatPaySimulatorOptions = {}): Promise<WeChatPaySimulator> {
  const mode = opts.mode ?? 'public-key';
  const mchid = opts.mchid ?? '1900000109';
  const appid = opts.appid ?? 'wxd678efh567hg6787';
  const apiv3Key = opts.apiv3Key ?? randomBytes(24).toString('base64').replace(/[^0-9A-Za-z]/g, 'x').slice(0, 32).padEnd(32, 'k');
  const refundDelayMs = opts.refundDelayMs ?? 100;
  const notifySchedule = opts.notifyScheduleMs ?? REAL_NOTIFY_SCHEDULE_S;
  const notifyUrl = opts.notifyUrl ?? 'https://kiosk.example.invalid/wechatpay/notify';

  const gen = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchant = gen();
  const merchantSerial = hex(20);
  const wechatSigners: Array<{ serial: string; key: KeyObject }> = [];
  let publicKeyId: string | undefined;
  let publicKeyPem: string | undefined;
  let platformSerial: string | undefined;
  let platformCertPem: string | undefined;
  if (mode !== 'certificate') {
    const k = gen();
    publicKeyId = `PUB_KEY_ID_${digits(32)}`;
    publicKeyPem = k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    wechatSigners.push({ serial: publicKeyId, key: k.privateKey });
  }
  if (mode !== 'public-key') {
    const k = gen();
    const cert = selfSignedCertificate({ publicKey: k.publicKey, privateKey: k.privateKey, commonName: 'Tenpay.com CA simulator' });
    platformSerial = cert.serial;
    platformCertPem = cert.pem;
    wechatSigners.push({ serial: cert.serial, key: k.privateKey });
  }
  const merchantPrivateKeyPem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  let skewMs = 0;
  let advancedMs = 0;
  const now = () => Date.now() + skewMs + advancedMs;
  const orders = new Map<string, SimOrder>();
  const byToken = new Map<string, string>();
  const refunds = new Map<string, SimRefund>();
  const faults: Array<Fault & { left: number }> = [];
  const requestLog: SimRequestRecord[] = [];
  const notifyLog: Array<{ url: string; eventType: string; outTradeNo: string; attempt: number; status: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    t.unref();
    timers.add(t);
  };

  function expireDue(o: SimOrder): void {
    if (o.state === 'NOTPAY' && o.timeExpire !== undefined && now() >= o.timeExpire) {
      o.state = 'CLOSED';
      o.closedAt = o.timeExpire;
      o.closedBy = 'expiry';
    }
  }

  function signerFor(requestSerial: string | undefined): { serial: string; key: KeyObject } {
    if (requestSerial) {
      const s = wechatSigners.find((w) => w.serial === requestSerial);
      if (s) return s;
    }
    // Certificate mode (or no preference): the platform certificate if there is one.
    return wechatSigners.find((w) => w.serial === platformSerial) ?? wechatSigners[0]!;
  }

  function transactionJson(o: SimOrder): Record<string, unknown> {
    expireDue(o);
    const t: Record<string, unknown> = {
      appid: o.appid,
      mchid: o.mchid,
      out_trade_no: o.outTradeNo,
      trade_type: 'NATIVE',
      trade_state: o.state,
      trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', CLOSED: '已关闭', REFUND: '转入退款' }[o.state],
      amount: { total: o.amountFen, currency: 'CNY' } as Record<string, unknown>,
    };
    if (o.attach !== undefined) t.attach = o.attach;
    if (o.transactionId) {
      t.transaction_id = o.transactionId;
      t.bank_type = 'OTHERS';
      t.success_time = o.successTime;
      t.payer = { openid: o.payerOpenid };
      t.amount = { total: o.amountFen, payer_total: o.amountFen, currency: 'CNY', payer_currency: 'CNY' };
    }
    return t;
  }

  function refundJson(r: SimRefund): Record<string, unknown> {
    const j: Record<string, unknown> = {
      refund_id: r.refundId,
      out_refund_no: r.outRefundNo,
      transaction_id: r.transactionId,
      out_trade_no: r.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: r.createTime,
      status: r.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: r.totalFen,
        refund: r.refundFen,
        from: [],
        payer_total: r.totalFen,
        payer_refund: r.refundFen,
        settlement_refund: r.refundFen,
        settlement_total: r.totalFen,
        discount_refund: 0,
        currency: 'CNY',
      },
      promotion_detail: [],
    };
    if (r.successTime) j.success_time = r.successTime;
    return j;
  }

  // ---- notifications ----------------------------------------------------------------------------
  function notify(url: string | undefined, eventType: string, originalType: 'transaction' | 'refund', payload: Record<string, unknown>, outTradeNo: string): void {
    if (!url) return;
    const nonce = randomBytes(9).toString('base64').replace(/[^0-9A-Za-z]/g, 'n').slice(0, 12).padEnd(12, 'n');
    const associated = originalType;
    const envelope = {
      id: `EV-${randomUUID()}`,
      create_time: rfc3339Cst(new Date(now())),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: eventType.startsWith('REFUND') ? '退款成功' : '支付成功',
      resource: {
        original_type: originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: aesGcmEncrypt(JSON.stringify(payload), apiv3Key, nonce, associated),
        associated_data: associated,
        nonce,
      },
    };
    const body = JSON.stringify(envelope);
    const attempt = (n: number): void => {
      if (closed) return;
      if (!isLoopbackUrl(url)) {
        // A simulator never reaches outside the machine: record, do not send.
        notifyLog.push({ url, eventType, outTradeNo, attempt: n, status: 0 });
        return;
      }
      // During a migration ramp WeChat signs notifications with either key at random.
      const signer = wechatSigners[Math.floor(Math.random() * wechatSigners.length)]!;
      const ts = String(unixSeconds(now()));
      const nn = newNonce();
      const headers = {
        'content-type': 'application/json',
        'wechatpay-timestamp': ts,
        'wechatpay-nonce': nn,
        'wechatpay-serial': signer.serial,
        'wechatpay-signature': rsaSign(responseMessage(ts, nn, body), signer.key),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
        'user-agent': 'Mozilla/4.0',
      };
      undiciRequest(url, { method: 'POST', headers, body, headersTimeout: 5000, bodyTimeout: 5000 })
        .then(async (res) => {
          await res.body.dump();
          notifyLog.push({ url, eventType, outTradeNo, attempt: n, status: res.statusCode });
          if (res.statusCode >= 200 && res.statusCode < 300) return;
          const d = notifySchedule[n];
          if (d !== undefined) later(d, () => attempt(n + 1));
        })
        .catch(() => {
          notifyLog.push({ url, eventType, outTradeNo, attempt: n, status: 0 });
          const d = notifySchedule[n];
          if (d !== undefined) later(d, () => attempt(n + 1));
        });
    };
    attempt(0);
  }

  // ---- the API ----------------------------------------------------------------------------------
  function requireFields(body: Record<string, unknown>, fields: string[]): void {
    for (const f of fields) if (body[f] === undefined || body[f] === null || body[f] === '') throw new ApiError(400, 'PARAM_ERROR', `输入源“/body/${f}”映射到值字段“${f}”必填性规则校验失败，此字段为必填项`);
  }

  function createNative(body: Record<string, unknown>): { status: number; json?: unknown } {
    requireFields(body, ['appid', 'mchid', 'description', 'out_trade_no', 'notify_url', 'amount']);
    if (body.appid !== appid) throw new ApiError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    const outTradeNo = String(body.out_trade_no);
    if (!OUT_TRADE_NO_RE.test(outTradeNo)) throw new ApiError(400, 'PARAM_ERROR', 'out_trade_no格式错误');
    const description = String(body.description);
    if (Array.from(description).length > 127) throw new ApiError(400, 'PARAM_ERROR', 'description超长');
    if ([...description].some((c) => (c.codePointAt(0) ?? 0) > 0xffff)) throw new ApiError(400, 'PARAM_ERROR', '字符串中包含不支持的字符');
    if (body.attach !== undefined && (typeof body.attach !== 'string' || Array.from(body.attach).length > 128)) throw new ApiError(400, 'PARAM_ERROR', 'attach超长');
    const amount = body.amount as { total?: unknown; currency?: unknown };
    if (!amount || typeof amount !== 'object' || !Number.isSafeInteger(amount.total) || (amount.total as number) < 1) {
      throw new ApiError(400, 'PARAM_ERROR', '下单金额必须为大于0的整数');
    }
    if (amount.currency !== undefined && amount.currency !== 'CNY') throw new ApiError(400, 'PARAM_ERROR', '币种不支持');
    const nu = String(body.notify_url);
    if (!/^https?:\/\//.test(nu) || nu.includes('?') || nu.length > 255) throw new ApiError(400, 'PARAM_ERROR', 'notify_url格式错误');
    let timeExpire: number | undefined;
    if (body.time_expire !== undefined) {
      const s = String(body.time_expire);
      timeExpire = Date.parse(s);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/.test(s) || Number.isNaN(timeExpire)) {
        throw new ApiError(400, 'PARAM_ERROR', 'time_expire格式错误');
      }
    }
    const canonical = canonicalJson(body);
    const existing = orders.get(outTradeNo);
    if (existing) {
      expireDue(existing);
      if (existing.state === 'SUCCESS' || existing.state === 'REFUND') throw new ApiError(400, 'ORDER_PAID', '该订单已支付');
      if (existing.state === 'CLOSED') throw new ApiError(400, 'ORDER_CLOSED', '订单已关闭');
      if (existing.canonicalBody !== canonical) throw new ApiError(400, 'INVALID_REQUEST', '请求重入时，参数与首次请求时不一致');
      return { status: 200, json: { code_url: codeUrl(existing.codeToken) } };
    }
    if (timeExpire !== undefined && timeExpire <= now()) throw new ApiError(400, 'PARAM_ERROR', 'time_expire时间不能早于当前时间');
    const o: SimOrder = {
      outTradeNo,
      appid,
      mchid,
      description,
      attach: body.attach as string | undefined,
      notifyUrl: nu,
      amountFen: amount.total as number,
      timeExpire,
      state: 'NOTPAY',
      createdAt: now(),
      canonicalBody: canonical,
      codeToken: randomBytes(12).toString('hex'),
    };
    orders.set(outTradeNo, o);
    byToken.set(o.codeToken, outTradeNo);
    if (opts.autoPayAfterMs !== undefined) later(opts.autoPayAfterMs, () => void payOrder(outTradeNo).catch(() => undefined));
    return { status: 200, json: { code_url: codeUrl(o.codeToken) } };
  }

  function codeUrl(token: string): string {
    return `${baseUrl}/pay/${token}`;
  }

  function queryOrder(outTradeNo: string, query: URLSearchParams): { status: number; json?: unknown } {
    if (query.get('mchid') !== mchid) throw new ApiError(400, 'PARAM_ERROR', '缺少参数mchid或mchid不匹配');
    const o = orders.get(outTradeNo);
    if (!o) throw new ApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
    return { status: 200, json: transactionJson(o) };
  }

  function queryByTransactionId(id: string, query: URLSearchParams): { status: number; json?: unknown } {
    if (query.get('mchid') !== mchid) throw new ApiError(400, 'PARAM_ERROR', '缺少参数mchid或mchid不匹配');
    const o = [...orders.values()].find((x) => x.transactionId === id);
    if (!o) throw new ApiError(404, 'ORDER_NOT_EXIST', '订单不存在');
    return { status: 200, json: transactionJson(o) };
  }

  function closeOrder(outTradeNo: string, body: Record<string, unknown>): { status: number; json?: unknown } {
    requireFields(body, ['mchid']);
    const o = orders.get(outTradeNo);
    if (!o) return { status: 204 }; // WeChat answers 204 for unknown orders too (community reports, notes A1).
    expireDue(o);
    if (o.state === 'SUCCESS' || o.state === 'REFUND') throw new ApiError(400, 'ORDER_PAID', '订单已支付');
    if (o.state === 'NOTPAY') {
      o.state = 'CLOSED';
      o.closedAt = now();
      o.closedBy = 'merchant';
    }
    return { status: 204 };
  }

  function createRefund(body: Record<string, unknown>): { status: number; json?: unknown } {
    requireFields(body, ['out_refund_no', 'amount']);
    const outRefundNo = String(body.out_refund_no);
    if (!OUT_REFUND_NO_RE.test(outRefundNo)) throw new ApiError(400, 'PARAM_ERROR', 'out_refund_no格式错误');
    if (body.reason !== undefined && Array.from(String(body.reason)).length > 80) throw new ApiError(400, 'PARAM_ERROR', 'reason超长');
    const canonical = canonicalJson(body);
    const existing = refunds.get(outRefundNo);
    if (existing) {
      // Same out_refund_no = the same refund: never a second payout (notes A1).
      if (existing.canonicalBody !== canonical) throw new ApiError(400, 'INVALID_REQUEST', '请求重入时，参数与首次请求时不一致');
      return { status: 200, json: refundJson(existing) };
    }
    let o: SimOrder | undefined;
    if (body.out_trade_no !== undefined) o = orders.get(String(body.out_trade_no));
    else if (body.transaction_id !== undefined) o = [...orders.values()].find((x) => x.transactionId === body.transaction_id);
    else throw new ApiError(400, 'PARAM_ERROR', 'transaction_id和out_trade_no必须二选一');
    if (!o) throw new ApiError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    expireDue(o);
    if (o.state !== 'SUCCESS' && o.state !== 'REFUND') throw new ApiError(400, 'INVALID_REQUEST', '订单未支付，不能发起退款');
    const amount = body.amount as { refund?: unknown; total?: unknown; currency?: unknown };
    if (!amount || !Number.isSafeInteger(amount.refund) || !Number.isSafeInteger(amount.total) || (amount.refund as number) < 1) {
      throw new ApiError(400, 'PARAM_ERROR', '退款金额必须为大于0的整数');
    }
    if (amount.total !== o.amountFen) throw new ApiError(400, 'PARAM_ERROR', '订单金额与原订单不一致');
    const previous = [...refunds.values()].filter((r) => r.outTradeNo === o.outTradeNo && r.status !== 'CLOSED');
    if (previous.length >= 50) throw new ApiError(403, 'RULE_LIMIT', '退款次数超过限制');
    const already = previous.reduce((s, r) => s + r.refundFen, 0);
    if (already + (amount.refund as number) > o.amountFen) throw new ApiError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const r: SimRefund = {
      refundId: `50${digits(27)}`,
      outRefundNo,
      outTradeNo: o.outTradeNo,
      transactionId: o.transactionId,
      refundFen: amount.refund as number,
      totalFen: o.amountFen,
      reason: body.reason as string | undefined,
      notifyUrl: body.notify_url as string | undefined,
      status: 'PROCESSING',
      createTime: rfc3339Cst(new Date(now())),
      canonicalBody: canonical,
    };
    refunds.set(outRefundNo, r);
    o.state = 'REFUND';
    later(refundDelayMs, () => {
      r.status = 'SUCCESS';
      r.successTime = rfc3339Cst(new Date(now()));
      notify(
        r.notifyUrl ?? o.notifyUrl,
        'REFUND.SUCCESS',
        'refund',
        {
          mchid,
          out_trade_no: r.outTradeNo,
          transaction_id: r.transactionId,
          out_refund_no: r.outRefundNo,
          refund_id: r.refundId,
          refund_status: 'SUCCESS',
          success_time: r.successTime,
          user_received_account: '支付用户零钱',
          amount: { total: r.totalFen, refund: r.refundFen, payer_total: r.totalFen, payer_refund: r.refundFen },
        },
        r.outTradeNo,
      );
    });
    return { status: 200, json: refundJson(r) };
  }

  function queryRefund(outRefundNo: string): { status: number; json?: unknown } {
    const r = refunds.get(outRefundNo);
    if (!r) throw new ApiError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return { status: 200, json: refundJson(r) };
  }

  function certificates(): { status: number; json?: unknown } {
    // Public-key-only merchants are refused (notes A2: 403 "证书不存在").
    if (!platformCertPem || !platformSerial) throw new ApiError(403, 'NO_AUTH', '证书不存在');
    const nonce = randomBytes(6).toString('hex');
    return {
      status: 200,
      json: {
        data: [
          {
            serial_no: platformSerial,
            effective_time: rfc3339Cst(new Date(now() - 3600_000)),
            expire_time: rfc3339Cst(new Date(now() + 5 * 365 * 86400_000)),
            encrypt_certificate: {
              algorithm: 'AEAD_AES_256_GCM',
              nonce,
              associated_data: 'certificate',
              ciphertext: aesGcmEncrypt(platformCertPem, apiv3Key, nonce, 'certificate'),
            },
          },
        ],
      },
    };
  }

  async function payOrder(outTradeNo: string): Promise<void> {
    const o = orders.get(outTradeNo);
    if (!o) throw new Error('ORDER_NOT_EXIST');
    expireDue(o);
    if (o.state !== 'NOTPAY') throw new Error(o.state === 'CLOSED' ? 'ORDER_CLOSED' : 'ORDER_PAID');
    o.state = 'SUCCESS';
    o.transactionId = `4200${digits(24)}`;
    o.successTime = rfc3339Cst(new Date(now()));
    o.payerOpenid = `oUpF8${randomBytes(12).toString('base64url')}`;
    notify(o.notifyUrl, 'TRANSACTION.SUCCESS', 'transaction', transactionJson(o), o.outTradeNo);
  }

  // ---- HTTP plumbing ----------------------------------------------------------------------------
  function takeFault(path: string): Fault | undefined {
    const i = faults.findIndex((f) => !f.path || path.startsWith(f.path));
    if (i < 0) return undefined;
    const f = faults[i]!;
    f.left -= 1;
    if (f.left <= 0) faults.splice(i, 1);
    return f;
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    json: unknown,
    sign: 'ok' | 'bad' | 'signtest' = 'ok',
  ): void {
    const body = json === undefined ? '' : JSON.stringify(json);
    const signer = signerFor(req.headers['wechatpay-serial'] as string | undefined);
    const ts = String(unixSeconds(now()));
    const nonce = newNonce();
    let signature = rsaSign(responseMessage(ts, nonce, body), signer.key);
    if (sign === 'bad') signature = rsaSign(responseMessage(ts, nonce, body + ' '), signer.key);
    if (sign === 'signtest') signature = `WECHATPAY/SIGNTEST/${signature}`;
    const headers: Record<string, string | number> = {
      'request-id': `08${hex(12)}-${status >= 400 ? digits(9) : '0'}`,
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': signer.serial,
      server: 'nginx',
    };
    if (body) {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = Buffer.byteLength(body);
    }
    res.writeHead(status, headers);
    res.end(body);
  }

  function verifyRequest(req: IncomingMessage, rawUrl: string, raw: Buffer): void {
    if (!req.headers.accept || !req.headers['user-agent']) throw new ApiError(400, 'INVALID_REQUEST', 'Http头缺少Accept或User-Agent');
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) throw new ApiError(401, 'SIGN_ERROR', 'Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
    if (auth.mchid !== mchid) throw new ApiError(400, 'MCH_NOT_EXISTS', '商户号不存在');
    if (auth.serial_no.toUpperCase() !== merchantSerial) throw new ApiError(401, 'SIGN_ERROR', '商户证书序列号有误');
    if (!/^\d{1,12}$/.test(auth.timestamp) || Math.abs(unixSeconds(now()) - Number(auth.timestamp)) > MAX_CLOCK_SKEW_S) {
      throw new ApiError(401, 'SIGN_ERROR', '签名过期或时间戳错误');
    }
    const ws = req.headers['wechatpay-serial'];
    if (ws !== undefined && !wechatSigners.some((s) => s.serial === ws)) throw new ApiError(400, 'INVALID_REQUEST', 'Wechatpay-Serial错误');
    const message = requestMessage(req.method ?? 'GET', rawUrl, auth.timestamp, auth.nonce_str, raw.toString('utf8'));
    if (!rsaVerify(message, auth.signature, merchant.publicKey)) throw new ApiError(401, 'SIGN_ERROR', '签名错误');
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1 << 20) throw new ApiError(413, 'PARAM_ERROR', 'body too large');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): { status: number; json?: unknown } {
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/v3/pay/transactions/native') {
      if (body.mchid !== mchid) throw new ApiError(400, 'INVALID_REQUEST', 'mchid不匹配');
      return createNative(body);
    }
    if (method === 'GET' && (m = path.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/))) return queryOrder(decodeURIComponent(m[1]!), query);
    if (method === 'GET' && (m = path.match(/^\/v3\/pay\/transactions\/id\/([^/]+)$/))) return queryByTransactionId(decodeURIComponent(m[1]!), query);
    if (method === 'POST' && (m = path.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/))) {
      if (body.mchid !== mchid) throw new ApiError(400, 'INVALID_REQUEST', 'mchid不匹配');
      return closeOrder(decodeURIComponent(m[1]!), body);
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') return createRefund(body);
    if (method === 'GET' && (m = path.match(/^\/v3\/refund\/domestic\/refunds\/([^/]+)$/))) return queryRefund(decodeURIComponent(m[1]!));
    if (method === 'GET' && path === '/v3/certificates') return certificates();
    throw new ApiError(404, 'NOT_FOUND', '接口不存在');
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, rawUrl: string, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const record: SimRequestRecord = { method, path: url.pathname, status: 0 };
    requestLog.push(record);
    // A long-running `npm run sim:wechatpay` must not grow without bound.
    if (requestLog.length > 20_000) requestLog.splice(0, 10_000);
    if (notifyLog.length > 20_000) notifyLog.splice(0, 10_000);
    const raw = await readBody(req);
    const fault = takeFault(url.pathname);
    if (fault) record.fault = fault.kind;
    const answer = (status: number, json: unknown, sign: 'ok' | 'bad' | 'signtest' = 'ok') => {
      record.status = status;
      if (json && typeof json === 'object' && 'code' in json) record.code = String((json as { code: unknown }).code);
      send(req, res, status, json, sign);
    };
    if (fault?.kind === 'server-error') return answer(500, { code: 'SYSTEM_ERROR', message: '系统错误' });
    if (fault?.kind === 'rate-limit') return answer(429, { code: 'FREQUENCY_LIMITED', message: '频率超限' });
    if (fault?.kind === 'error') return answer(fault.status, { code: fault.code, message: fault.message ?? '模拟错误' });
    if (fault?.kind === 'timeout' && !fault.process) {
      later(fault.ms ?? 30_000, () => req.socket.destroy());
      return;
    }
    let result: { status: number; json?: unknown };
    try {
      verifyRequest(req, rawUrl, raw);
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        try {
          const parsed: unknown = JSON.parse(raw.toString('utf8'));
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          body = parsed as Record<string, unknown>;
        } catch {
          throw new ApiError(400, 'PARAM_ERROR', '请求体不是合法的JSON');
        }
        if (JSON.stringify(body).includes('null')) {
          // null is not allowed in requests (basic rules); a cheap check that errs on the strict side.
          for (const v of Object.values(body)) if (v === null) throw new ApiError(400, 'PARAM_ERROR', '参数不允许为null');
        }
      }
      result = route(method, url.pathname, url.searchParams, body);
    } catch (e) {
      if (e instanceof ApiError) result = { status: e.status, json: { code: e.code, message: e.message } };
      else result = { status: 500, json: { code: 'SYSTEM_ERROR', message: '系统错误' } };
    }
    if (fault?.kind === 'timeout') {
      // The request took effect; only the answer is lost.
      later(fault.ms ?? 30_000, () => req.socket.destroy());
      record.status = -1;
      return;
    }
    answer(result.status, result.json, fault?.kind === 'bad-signature' ? 'bad' : fault?.kind === 'signtest' ? 'signtest' : 'ok');
  }

  // ---- scan-and-pay page and test hooks ----------------------------------------------------------
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  function payPage(o: SimOrder | undefined, message?: string): string {
    const yuan = o ? (o.amountFen / 100).toFixed(2) : '';
    const state = o ? (expireDue(o), o.state) : 'UNKNOWN';
    const body = !o
      ? '<p>二维码无效</p>'
      : state === 'NOTPAY'
        ? `<form method="post"><button type="submit">确认支付 ¥${yuan}</button></form>`
        : `<p class="done">${({ SUCCESS: '支付成功', REFUND: '已支付（已退款）', CLOSED: '订单已关闭，无法支付' } as Record<string, string>)[state] ?? ''}</p>`;
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信支付（模拟）</title><style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;text-align:center}
button{font-size:1.4rem;padding:1rem 2rem;background:#07c160;color:#fff;border:0;border-radius:.5rem}.done{font-size:1.6rem;color:#07c160}
small{color:#888}</style></head><body><h1>微信支付 · 模拟器</h1>
${o ? `<p>${esc(o.description)}</p><p style="font-size:2rem">¥${yuan}</p><p><small>商户订单号 ${esc(o.outTradeNo)}</small></p>` : ''}
${message ? `<p>${esc(message)}</p>` : ''}${body}<p><small>这是本地模拟器，不会产生真实扣款。</small></p></body></html>`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://sim.local');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/v3/')) return handleApi(req, res, rawUrl, url);

    const page = url.pathname.match(/^\/pay\/([0-9a-f]{24})$/);
    if (page) {
      const o = orders.get(byToken.get(page[1]!) ?? '');
      let message: string | undefined;
      if (method === 'POST') {
        await readBody(req);
        try {
          if (o) await payOrder(o.outTradeNo);
        } catch (e) {
          message = (e as Error).message === 'ORDER_CLOSED' ? '订单已关闭' : '支付未完成';
        }
      }
      res.writeHead(o ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(payPage(o, message));
      return;
    }
    // Test hooks for the CLI and out-of-process tests (the simulator only listens on loopback).
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (method === 'GET' && url.pathname === '/__sim/books') return json(200, books());
    const hook = url.pathname.match(/^\/__sim\/pay\/([^/]+)$/);
    if (method === 'POST' && hook) {
      try {
        await payOrder(decodeURIComponent(hook[1]!));
        return json(200, { ok: true });
      } catch (e) {
        return json(409, { ok: false, code: (e as Error).message });
      }
    }
    if (method === 'POST' && url.pathname === '/__sim/fault') {
      try {
        inject(JSON.parse((await readBody(req)).toString('utf8')) as Fault);
        return json(200, { ok: true });
      } catch {
        return json(400, { ok: false });
      }
    }
    json(404, { code: 'NOT_FOUND', message: '接口不存在' });
  }

  function books(): Books {
    const os = [...orders.values()];
    os.forEach(expireDue);
    const rs = [...refunds.values()];
    const out: Books = {
      orders: os.map((o) => {
        const mine = rs.filter((r) => r.outTradeNo === o.outTradeNo && r.status !== 'CLOSED');
        return {
          outTradeNo: o.outTradeNo,
          amountFen: o.amountFen,
          state: o.state,
          attach: o.attach,
          transactionId: o.transactionId,
          paid: !!o.transactionId,
          refundedFen: mine.reduce((s, r) => s + r.refundFen, 0),
          refundCount: mine.length,
        };
      }),
      refunds: rs.map((r) => ({ outRefundNo: r.outRefundNo, outTradeNo: r.outTradeNo, refundFen: r.refundFen, status: r.status })),
      totals: { orders: os.length, paidCount: 0, paidFen: 0, refundCount: 0, refundedFen: 0, closedCount: 0 },
    };
    for (const o of out.orders) {
      if (o.paid) {
        out.totals.paidCount++;
        out.totals.paidFen += o.amountFen;
      }
      if (o.state === 'CLOSED') out.totals.closedCount++;
    }
    for (const r of out.refunds) {
      if (r.status === 'CLOSED') continue;
      out.totals.refundCount++;
      out.totals.refundedFen += r.refundFen;
    }
    return out;
  }

  function inject(fault: Fault): void {
    const kinds = ['server-error', 'rate-limit', 'timeout', 'bad-signature', 'signtest', 'error'];
    if (!fault || !kinds.includes(fault.kind)) throw new Error(`unknown fault ${String((fault as { kind?: unknown })?.kind)}`);
    if (fault.kind === 'error' && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599 || !/^[A-Z_]{2,64}$/.test(fault.code))) {
      throw new Error('an error fault needs a 4xx/5xx status and an upper-case code');
    }
    faults.push({ ...fault, left: Math.max(1, fault.times ?? 1) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      const status = e instanceof ApiError ? e.status : 500;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: e instanceof ApiError ? e.code : 'SYSTEM_ERROR', message: '系统错误' }));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    WECHATPAY_ENDPOINT: baseUrl,
    WECHATPAY_MCHID: mchid,
    WECHATPAY_APPID: appid,
    WECHATPAY_MERCHANT_SERIAL: merchantSerial,
    WECHATPAY_APIV3_KEY: apiv3Key,
    WECHATPAY_NOTIFY_URL: notifyUrl,
  };
  const files: WeChatPaySimulator['files'] = {};
  if (opts.keyDir) {
    mkdirSync(opts.keyDir, { recursive: true, mode: 0o700 });
    files.dir = opts.keyDir;
    files.privateKeyFile = join(opts.keyDir, 'apiclient_key.pem');
    writeFileSync(files.privateKeyFile, merchantPrivateKeyPem, { mode: 0o600 });
    env.WECHATPAY_PRIVATE_KEY_FILE = files.privateKeyFile;
    if (publicKeyPem && publicKeyId) {
      files.publicKeyFile = join(opts.keyDir, 'pub_key.pem');
      writeFileSync(files.publicKeyFile, publicKeyPem);
      env.WECHATPAY_PUBLIC_KEY_FILE = files.publicKeyFile;
      env.WECHATPAY_PUBLIC_KEY_ID = publicKeyId;
    }
    if (platformCertPem) {
      files.platformCertFile = join(opts.keyDir, 'wechatpay_platform_cert.pem');
      writeFileSync(files.platformCertFile, platformCertPem);
      env.WECHATPAY_PLATFORM_CERT_FILES = files.platformCertFile;
    }
    files.envFile = join(opts.keyDir, 'wechatpay.env');
    // KIOSK_PAYMENT too, so `set -a; . wechatpay.env; npm start` is all a developer needs.
    const lines = Object.entries({ KIOSK_PAYMENT: 'wechatpay', ...env }).map(([k, v]) => `${k}=${v}`);
    writeFileSync(files.envFile, lines.join('\n') + '\n', { mode: 0o600 });
    files.configFile = join(opts.keyDir, 'wechatpay.config.json');
    writeFileSync(
      files.configFile,
      JSON.stringify(
        {
          wechatpay: {
            endpoint: baseUrl,
            mchid,
            appid,
            merchantSerial,
            privateKeyFile: files.privateKeyFile,
            ...(files.publicKeyFile ? { publicKeyFile: files.publicKeyFile, publicKeyId } : {}),
            platformCertFiles: files.platformCertFile ? [files.platformCertFile] : [],
            apiv3Key,
            notifyUrl,
          },
        },
        null,
        2,
      ),
      { mode: 0o600 },
    );
  }

  return {
    url: baseUrl,
    mchid,
    appid,
    apiv3Key,
    merchantSerial,
    publicKeyId,
    platformSerial,
    files,
    env,
    keys: { merchantPrivateKeyPem, publicKeyPem, platformCertPem },
    pay: payOrder,
    books,
    order: (no) => {
      const o = orders.get(no);
      if (o) expireDue(o);
      return o;
    },
    refunds: () => [...refunds.values()],
    inject,
    clearFaults: () => void faults.splice(0),
    setClockSkew: (s) => {
      skewMs = s * 1000;
    },
    advanceTime: (ms) => {
      advancedMs += ms;
    },
    async probeNotify(url) {
      if (!isLoopbackUrl(url)) throw new Error('the simulator only sends to loopback addresses');
      const body = JSON.stringify({ id: `EV-${randomUUID()}`, event_type: 'TRANSACTION.SUCCESS', resource: {} });
      const signer = wechatSigners[0]!;
      const res = await undiciRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'wechatpay-timestamp': String(unixSeconds(now())),
          'wechatpay-nonce': newNonce(),
          'wechatpay-serial': signer.serial,
          'wechatpay-signature': `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}`,
          'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
        },
        body,
      });
      await res.body.dump();
      return res.statusCode;
    },
    notifications: () => [...notifyLog],
    requests: () => [...requestLog],
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
