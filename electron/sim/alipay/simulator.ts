// A protocol-faithful Alipay OpenAPI gateway (当面付) on loopback, for tests and `npm run sim:alipay`.
// It checks what the real gateway checks (system parameters, RSA2 signature over the sorted
// parameters, app id, timestamp, certificate serials in certificate mode), answers in the real
// shape ({"<method>_response":{…},"sign":"…"[, "alipay_cert_sn":"…"]}, text/html;charset=utf-8),
// signs business answers with its Alipay key (parameter errors 40001/40002 go unsigned, as the
// gateway does), and keeps the books a kiosk is judged by.
// Modelled behaviour worth knowing:
//  - a precreated trade does not exist until the QR is scanned: query/close answer ACQ.TRADE_NOT_EXIST,
//    and the QR can still be scanned and paid until time_expire, even after such a close;
//  - precreate again with the same out_trade_no and the same content → the same qr_code; other content → ACQ.CONTEXT_INCONSISTENT;
//  - refund is synchronous (fund_change Y), a repeated out_request_no answers fund_change N and moves no money;
//    a trade refunded in full becomes TRADE_CLOSED (send_pay_date stays);
//  - notifications (trade_status_sync, form-encoded, RSA2 over sorted params without sign/sign_type) go to
//    the request's notify_url (loopback only) with the retry schedule compressed in time; "success" stops them.
// Faults: HTTP 5xx, ACQ.SYSTEM_ERROR, 20000 isp.unknow-error, timeouts (optionally after processing),
// bad or missing signatures, a custom error; each by method and count.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certSn, rootCertSn } from '../../main/services/payment/alipay/certs';
import {
  alipayTimestamp,
  fenToYuan,
  parseAlipayTimestamp,
  responseNodeName,
  rsa2Sign,
  rsa2Verify,
  signContent,
  yuanToFen,
} from '../../main/services/payment/alipay/signing';
import { issueCertificate, type Dn } from '../x509';
import { isLoopbackUrl } from '../loopback';

export type AlipayFault =
  | { kind: 'http-error'; status?: number; times?: number; method?: string }
  | { kind: 'system-error'; times?: number; method?: string }
  | { kind: 'unknown-error'; times?: number; method?: string }
  | { kind: 'timeout'; ms?: number; process?: boolean; times?: number; method?: string }
  | { kind: 'bad-signature'; times?: number; method?: string }
  | { kind: 'unsigned'; times?: number; method?: string }
  | { kind: 'error'; code: string; subCode: string; subMsg?: string; signed?: boolean; times?: number; method?: string };

export type AlipaySimTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';

export interface AlipaySimTrade {
  outTradeNo: string;
  token: string;
  amountFen: number;
  subject: string;
  body?: string;
  /** false until the customer scans the QR: the trade does not exist at Alipay before that. */
  scanned: boolean;
  status: AlipaySimTradeStatus;
  tradeNo?: string;
  sendPayDate?: string;
  expiresAt: number;
  notifyUrl?: string;
  refundedFen: number;
}

export interface AlipaySimRefund {
  outRequestNo: string;
  outTradeNo: string;
  refundFen: number;
  at: string;
}

export interface AlipayBooks {
  trades: { outTradeNo: string; amountFen: number; status: AlipaySimTradeStatus | 'NOT_SCANNED'; attach?: string; expiresAt: number; paid: boolean; refundedFen: number; refundCount: number }[];
  totals: { trades: number; paidCount: number; paidFen: number; refundCount: number; refundedFen: number };
}

export interface AlipaySimulatorOptions {
  port?: number;
  mode?: 'public-key' | 'certificate';
  appId?: string;
  /** Where the kiosk-side files (app private key, Alipay public key or certificates, alipay.env) are written. */
  keyDir?: string;
  /** Pay every trade automatically this long after it is created (hands-free demo). */
  autoPayAfterMs?: number;
  /** Notification retry delays (ms). Default: Alipay's 4m,10m,10m,1h,2h,6h,15h divided by 1000. */
  notifyScheduleMs?: number[];
  /** Accepted clock difference of a request's timestamp. Default 10 minutes. */
  maxSkewMs?: number;
}

export interface AlipaySimulator {
  url: string;
  /** The gateway URL (ALIPAY_ENDPOINT). */
  gateway: string;
  appId: string;
  mode: 'public-key' | 'certificate';
  env: Record<string, string>;
  files: Record<string, string>;
  keys: { appPrivateKeyPem: string; alipayPublicKeyPem: string; appCertPem?: string; alipayCertPem?: string; rootCertPem?: string };
  /** The customer scans the QR (the trade comes to exist, WAIT_BUYER_PAY). */
  scan(outTradeNo: string): void;
  /** The customer scans (if not yet) and pays. Throws when it cannot be paid. */
  pay(outTradeNo: string): Promise<void>;
  trade(outTradeNo: string): AlipaySimTrade | undefined;
  books(): AlipayBooks;
  refunds(): AlipaySimRefund[];
  inject(fault: AlipayFault): void;
  clearFaults(): void;
  advanceTime(ms: number): void;
  requests(): { method: string; outTradeNo?: string; fault?: string; code: string }[];
  notifications(): { url: string; outTradeNo: string; attempt: number; answer: string }[];
  close(): Promise<void>;
}

const ALIPAY_DN: Dn = [
  ['C', 'CN'],
  ['O', 'Ant Financial'],
  ['OU', 'Certification Authority'],
  ['CN', 'Ant Financial Certification Authority R1'],
];
const ALIPAY_SM2_ROOT_DN: Dn = [
  ['C', 'CN'],
  ['O', 'Ant Financial'],
  ['OU', 'Certification Authority'],
  ['CN', 'Ant Financial Certification Authority E1'],
];

const REAL_NOTIFY_SCHEDULE_S = [240, 600, 600, 3600, 7200, 21600, 54000];
const METHODS = new Set(['alipay.trade.precreate', 'alipay.trade.query', 'alipay.trade.close', 'alipay.trade.refund', 'alipay.trade.fastpay.refund.query']);

class GatewayError extends Error {
  constructor(
    readonly code: string,
    readonly msg: string,
    readonly subCode: string,
    readonly subMsg: string,
    /** Business errors (40004, 20000) are signed; parameter and signature errors are not. */
    readonly signed: boolean,
  ) {
    super(subCode);
  }
}
const biz = (subCode: string, subMsg: string) => new GatewayError('40004', 'Business Failed', subCode, subMsg, true);
const arg = (subCode: string, subMsg: string) => new GatewayError('40002', 'Invalid Arguments', subCode, subMsg, false);
const missing = (subCode: string, subMsg: string) => new GatewayError('40001', 'Missing Required Arguments', subCode, subMsg, false);

const pem = (k: KeyObject, type: 'pkcs8' | 'spki') => k.export({ type, format: 'pem' }).toString();

export async function startAlipaySimulator(opts: AlipaySimulatorOptions = {}): Promise<AlipaySimulator> {
  const mode = opts.mode ?? 'public-key';
  const appId = opts.appId ?? `2021${String(Date.now()).slice(-8)}${String(randomBytes(1)[0]! % 10)}`.slice(0, 16);
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys: AlipaySimulator['keys'] = { appPrivateKeyPem: pem(app.privateKey, 'pkcs8'), alipayPublicKeyPem: pem(alipay.publicKey, 'spki') };
  let expectAppCertSn: string | undefined;
  let expectRootSn: string | undefined;
  let alipayCertSnValue: string | undefined;
  if (mode === 'certificate') {
    const rootKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const root = issueCertificate({ subject: ALIPAY_DN, issuer: ALIPAY_DN, subjectKey: rootKeys.publicKey, issuerKey: rootKeys.privateKey });
    const ecKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ecRoot = issueCertificate({ subject: ALIPAY_SM2_ROOT_DN, issuer: ALIPAY_SM2_ROOT_DN, subjectKey: ecKeys.publicKey, issuerKey: ecKeys.privateKey });
    const appCert = issueCertificate({
      subject: [['C', 'CN'], ['O', '团圆照相馆测试商户'], ['OU', 'Alipay'], ['CN', appId]],
      issuer: ALIPAY_DN,
      subjectKey: app.publicKey,
      issuerKey: rootKeys.privateKey,
    });
    const alipayCert = issueCertificate({
      subject: [['C', 'CN'], ['O', '支付宝(中国)网络技术有限公司'], ['OU', 'Alipay'], ['CN', '支付宝(中国)网络技术有限公司-' + appId]],
      issuer: ALIPAY_DN,
      subjectKey: alipay.publicKey,
      issuerKey: rootKeys.privateKey,
    });
    keys.appCertPem = appCert.pem;
    keys.alipayCertPem = alipayCert.pem;
    // The real alipayRootCert.crt holds several roots; the non-RSA one must not count.
    keys.rootCertPem = ecRoot.pem + root.pem;
    expectAppCertSn = certSn(appCert.pem);
    expectRootSn = rootCertSn(keys.rootCertPem);
    alipayCertSnValue = certSn(alipayCert.pem);
  }

  let clockOffset = 0;
  const now = () => Date.now() + clockOffset;
  const trades = new Map<string, AlipaySimTrade>();
  const byToken = new Map<string, string>();
  const refunds = new Map<string, AlipaySimRefund>();
  const faults: (AlipayFault & { left: number })[] = [];
  const requestLog: { method: string; outTradeNo?: string; fault?: string; code: string }[] = [];
  const notifyLog: { url: string; outTradeNo: string; attempt: number; answer: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const schedule = opts.notifyScheduleMs ?? REAL_NOTIFY_SCHEDULE_S.map((s) => s);
  const maxSkew = opts.maxSkewMs ?? 600_000;
  let url = '';

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** time_expire reached: a scanned unpaid trade closes; an unscanned QR can no longer be scanned. */
  function expireDue(t: AlipaySimTrade): void {
    if (t.scanned && t.status === 'WAIT_BUYER_PAY' && now() >= t.expiresAt) t.status = 'TRADE_CLOSED';
  }

  function takeFault(method: string): (AlipayFault & { left: number }) | undefined {
    const i = faults.findIndex((f) => !f.method || f.method === method);
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  }

  function scan(outTradeNo: string): void {
    const t = trades.get(outTradeNo);
    if (!t) throw new Error('TRADE_NOT_EXIST');
    expireDue(t);
    if (!t.scanned) {
      if (now() >= t.expiresAt) throw new Error('QR_EXPIRED');
      t.scanned = true;
      t.status = 'WAIT_BUYER_PAY';
    }
  }

  async function pay(outTradeNo: string): Promise<void> {
    scan(outTradeNo);
    const t = trades.get(outTradeNo)!;
    expireDue(t);
    if (t.status !== 'WAIT_BUYER_PAY') throw new Error(t.status === 'TRADE_CLOSED' ? 'TRADE_CLOSED' : 'TRADE_HAS_SUCCESS');
    t.status = 'TRADE_SUCCESS';
    t.tradeNo = `${alipayTimestamp(new Date(now())).replace(/\D/g, '').slice(0, 8)}22001${randomBytes(7).toString('hex').replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10))}`;
    t.sendPayDate = alipayTimestamp(new Date(now()));
    if (t.notifyUrl && isLoopbackUrl(t.notifyUrl)) void notify(t, 0);
  }

  async function notify(t: AlipaySimTrade, attempt: number): Promise<void> {
    const form: Record<string, string> = {
      notify_time: alipayTimestamp(new Date(now())),
      notify_type: 'trade_status_sync',
      notify_id: randomBytes(16).toString('hex'),
      app_id: appId,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: t.tradeNo ?? '',
      out_trade_no: t.outTradeNo,
      trade_status: t.status,
      total_amount: fenToYuan(t.amountFen),
      receipt_amount: fenToYuan(t.amountFen),
      buyer_pay_amount: fenToYuan(t.amountFen),
      gmt_payment: t.sendPayDate ?? '',
      subject: t.subject,
    };
    form.sign = rsa2Sign(signContent(form, ['sign', 'sign_type']), alipay.privateKey);
    let answer = '';
    try {
      const res = await fetch(t.notifyUrl!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(5000),
      });
      answer = (await res.text()).trim();
    } catch {
      answer = '';
    }
    notifyLog.push({ url: t.notifyUrl!, outTradeNo: t.outTradeNo, attempt, answer });
    if (answer !== 'success' && attempt < schedule.length) later(schedule[attempt]!, () => void notify(t, attempt + 1));
  }

  // ------------------------------------------------------------------ the API methods

  function precreate(b: Record<string, unknown>, notifyUrl: string | undefined): Record<string, unknown> {
    const no = b.out_trade_no;
    if (typeof no !== 'string' || !/^[0-9A-Za-z_]{1,64}$/.test(no)) throw arg('isv.invalid-parameter', 'out_trade_no 格式错误');
    const fen = yuanToFen(b.total_amount as string);
    if (fen === undefined || fen < 1 || fen > 10_000_000_000) throw biz('ACQ.INVALID_PARAMETER', '参数无效: total_amount');
    if (typeof b.subject !== 'string' || !b.subject) throw missing('isv.missing-parameter', '缺少必选参数: subject');
    const exp = b.time_expire !== undefined ? parseAlipayTimestamp(b.time_expire as string)?.getTime() : now() + 2 * 3600_000;
    if (exp === undefined) throw biz('ACQ.INVALID_PARAMETER', '参数无效: time_expire');
    const existing = trades.get(no);
    if (existing) {
      expireDue(existing);
      if (existing.amountFen !== fen || existing.subject !== b.subject) throw biz('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') throw biz('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED' && existing.scanned) throw biz('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      return { out_trade_no: no, qr_code: `${url}/qr/${existing.token}` };
    }
    const token = randomBytes(12).toString('hex');
    const t: AlipaySimTrade = {
      outTradeNo: no,
      token,
      amountFen: fen,
      subject: b.subject,
      body: typeof b.body === 'string' ? b.body : undefined,
      scanned: false,
      status: 'WAIT_BUYER_PAY',
      expiresAt: exp,
      notifyUrl,
      refundedFen: 0,
    };
    trades.set(no, t);
    byToken.set(token, no);
    if (opts.autoPayAfterMs !== undefined) later(opts.autoPayAfterMs, () => void pay(no).catch(() => undefined));
    return { out_trade_no: no, qr_code: `${url}/qr/${token}` };
  }

  /** The trade as Alipay knows it: unscanned precreates and unknown numbers do not exist. */
  function existing(b: Record<string, unknown>): AlipaySimTrade {
    const no = b.out_trade_no;
    if (typeof no !== 'string' || !no) throw missing('isv.missing-parameter', '缺少必选参数: out_trade_no');
    const t = trades.get(no);
    if (!t || !t.scanned) throw biz('ACQ.TRADE_NOT_EXIST', '交易不存在');
    expireDue(t);
    return t;
  }

  function query(b: Record<string, unknown>): Record<string, unknown> {
    const t = existing(b);
    const paid = !!t.sendPayDate;
    return {
      trade_no: t.tradeNo ?? `${t.outTradeNo}W`,
      out_trade_no: t.outTradeNo,
      buyer_logon_id: 'kio***@example.com',
      trade_status: t.status,
      total_amount: fenToYuan(t.amountFen),
      ...(paid
        ? {
            buyer_pay_amount: fenToYuan(t.amountFen),
            receipt_amount: fenToYuan(t.amountFen),
            invoice_amount: fenToYuan(t.amountFen),
            point_amount: '0.00',
            send_pay_date: t.sendPayDate,
            buyer_user_id: '2088102177846880',
          }
        : {}),
    };
  }

  function close(b: Record<string, unknown>): Record<string, unknown> {
    const t = existing(b);
    if (t.status !== 'WAIT_BUYER_PAY') throw biz('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    t.status = 'TRADE_CLOSED';
    return { trade_no: t.tradeNo ?? `${t.outTradeNo}W`, out_trade_no: t.outTradeNo };
  }

  function refund(b: Record<string, unknown>): Record<string, unknown> {
    const t = existing(b);
    const fen = yuanToFen(b.refund_amount as string);
    if (fen === undefined || fen < 1) throw biz('ACQ.INVALID_PARAMETER', '参数无效: refund_amount');
    const reqNo = typeof b.out_request_no === 'string' && b.out_request_no ? b.out_request_no : t.outTradeNo;
    const prior = refunds.get(`${t.outTradeNo}|${reqNo}`);
    const answer = (fundChange: 'Y' | 'N') => ({
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      buyer_logon_id: 'kio***@example.com',
      fund_change: fundChange,
      refund_fee: fenToYuan(t.refundedFen),
      gmt_refund_pay: prior?.at ?? alipayTimestamp(new Date(now())),
      buyer_user_id: '2088102177846880',
    });
    if (prior) {
      if (prior.refundFen !== fen) throw biz('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致');
      return answer('N');
    }
    if (!t.sendPayDate) throw biz('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (t.status === 'TRADE_FINISHED') throw biz('ACQ.TRADE_HAS_FINISHED', '交易已完结');
    if (t.refundedFen + fen > t.amountFen) throw biz('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
    const r: AlipaySimRefund = { outRequestNo: reqNo, outTradeNo: t.outTradeNo, refundFen: fen, at: alipayTimestamp(new Date(now())) };
    refunds.set(`${t.outTradeNo}|${reqNo}`, r);
    t.refundedFen += fen;
    if (t.refundedFen === t.amountFen) t.status = 'TRADE_CLOSED';
    return answer('Y');
  }

  function refundQuery(b: Record<string, unknown>): Record<string, unknown> {
    const t = existing(b);
    const reqNo = b.out_request_no;
    if (typeof reqNo !== 'string' || !reqNo) throw missing('isv.missing-parameter', '缺少必选参数: out_request_no');
    const r = refunds.get(`${t.outTradeNo}|${reqNo}`);
    // No refund under that number: a success answer without the refund fields (as Alipay answers).
    if (!r) return { trade_no: t.tradeNo, out_trade_no: t.outTradeNo, out_request_no: reqNo };
    const options = Array.isArray(b.query_options) ? (b.query_options as unknown[]) : [];
    return {
      trade_no: t.tradeNo,
      out_trade_no: t.outTradeNo,
      out_request_no: reqNo,
      total_amount: fenToYuan(t.amountFen),
      refund_amount: fenToYuan(r.refundFen),
      refund_status: 'REFUND_SUCCESS',
      ...(options.includes('gmt_refund_pay') ? { gmt_refund_pay: r.at } : {}),
    };
  }

  // ------------------------------------------------------------------ the gateway

  function respond(res: ServerResponse, method: string, node: Record<string, unknown>, signed: boolean, fault?: AlipayFault): void {
    const name = METHODS.has(method) ? responseNodeName(method) : 'error_response';
    const raw = JSON.stringify(node);
    let body = `{"${name}":${raw}`;
    if (signed && fault?.kind !== 'unsigned') {
      let sign = rsa2Sign(raw, alipay.privateKey);
      if (fault?.kind === 'bad-signature') sign = rsa2Sign(raw + ' ', alipay.privateKey);
      if (alipayCertSnValue) body += `,"alipay_cert_sn":"${alipayCertSnValue}"`;
      body += `,"sign":"${sign}"`;
    }
    body += '}';
    res.writeHead(200, { 'content-type': 'text/html;charset=utf-8' });
    res.end(body);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1_000_000) throw new Error('too big');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function gateway(req: IncomingMessage, res: ServerResponse, u: URL): Promise<void> {
    const params: Record<string, string> = {};
    for (const [k, v] of u.searchParams) params[k] = v;
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body && !/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
        return respond(res, params.method ?? '', { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-content-type', sub_msg: '请求的Content-Type不合法' }, false);
      }
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    }
    const method = params.method ?? '';
    let bizContent: Record<string, unknown> = {};
    let fault: (AlipayFault & { left: number }) | undefined;
    const record = (code: string, fault?: string) => requestLog.push({ method, outTradeNo: bizContent.out_trade_no as string | undefined, fault, code });
    try {
      for (const k of ['app_id', 'method', 'sign_type', 'sign', 'timestamp', 'version', 'charset']) {
        if (!params[k]) throw missing(`isv.missing-${k.replace(/_/g, '-')}`, `缺少${k}参数`);
      }
      if (!METHODS.has(method)) throw arg('isv.invalid-method', '不存在的方法名');
      if (params.app_id !== appId) throw arg('isv.invalid-app-id', '无效的AppID参数');
      if (params.sign_type !== 'RSA2') throw arg('isv.invalid-signature-type', '无效的签名类型');
      if (params.charset!.toLowerCase() !== 'utf-8') throw arg('isv.invalid-charset', '字符集错误');
      const ts = parseAlipayTimestamp(params.timestamp);
      if (!ts || Math.abs(ts.getTime() - now()) > maxSkew) throw arg('isv.invalid-timestamp', '非法的时间戳参数');
      if (mode === 'certificate') {
        if (!params.app_cert_sn) throw missing('isv.missing-app-cert-sn', '缺少应用公钥证书序列号');
        if (params.app_cert_sn !== expectAppCertSn) throw arg('isv.app-cert-sn-invalid', '应用公钥证书序列号不匹配');
        if (params.alipay_root_cert_sn !== expectRootSn) throw arg('isv.alipay-root-cert-sn-invalid', '支付宝根证书序列号不匹配');
      }
      const content = signContent(params);
      if (!rsa2Verify(content, params.sign!, app.publicKey)) {
        throw arg('isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${signContent({ ...params, biz_content: undefined })}`);
      }
      try {
        bizContent = params.biz_content ? (JSON.parse(params.biz_content) as Record<string, unknown>) : {};
      } catch {
        throw arg('isv.invalid-parameter', 'biz_content 不是合法的JSON');
      }
      fault = takeFault(method);
      if (fault?.kind === 'http-error') {
        record('HTTP', fault.kind);
        res.writeHead(fault.status ?? 502, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      if (fault?.kind === 'system-error') throw biz('ACQ.SYSTEM_ERROR', '系统错误');
      if (fault?.kind === 'unknown-error') throw new GatewayError('20000', 'Service Currently Unavailable', 'isp.unknow-error', '系统繁忙', true);
      if (fault?.kind === 'error') throw new GatewayError(fault.code, 'Business Failed', fault.subCode, fault.subMsg ?? '', fault.signed ?? true);
      if (fault?.kind === 'timeout' && !fault.process) {
        record('TIMEOUT', fault.kind);
        await new Promise((r) => setTimeout(r, (fault as { ms?: number }).ms ?? 15_000));
        res.destroy();
        return;
      }
      let out: Record<string, unknown>;
      if (method === 'alipay.trade.precreate') out = precreate(bizContent, params.notify_url);
      else if (method === 'alipay.trade.query') out = query(bizContent);
      else if (method === 'alipay.trade.close') out = close(bizContent);
      else if (method === 'alipay.trade.refund') out = refund(bizContent);
      else out = refundQuery(bizContent);
      if (fault?.kind === 'timeout') {
        // Processed, but the answer never arrives.
        record('TIMEOUT', 'timeout-after-processing');
        await new Promise((r) => setTimeout(r, (fault as { ms?: number }).ms ?? 15_000));
        res.destroy();
        return;
      }
      record('10000', fault?.kind);
      respond(res, method, { code: '10000', msg: 'Success', ...out }, true, fault);
    } catch (e) {
      if (!(e instanceof GatewayError)) throw e;
      record(e.subCode, fault?.kind);
      // A signature fault also spoils signed error answers (a forged "does not exist" must not pass).
      respond(res, method, { code: e.code, msg: e.msg, sub_code: e.subCode, sub_msg: e.subMsg }, e.signed, fault);
    }
  }

  function qrPage(t: AlipaySimTrade | undefined, message?: string): string {
    const body = !t
      ? '<p>二维码无效</p>'
      : t.sendPayDate
        ? '<p data-testid="alipay-paid">支付成功</p>'
        : `<p>${t.subject}</p><p>¥${fenToYuan(t.amountFen)}</p><form method="post"><button data-testid="alipay-pay" type="submit">确认付款</button></form>`;
    return `<!doctype html><meta charset="utf-8"><title>支付宝（模拟）</title><body style="font-family:sans-serif"><h1>支付宝（模拟）</h1>${message ? `<p>${message}</p>` : ''}${body}</body>`;
  }

  const server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (u.pathname === '/gateway.do') return gateway(req, res, u);
      const page = /^\/qr\/([0-9a-f]{24})$/.exec(u.pathname);
      if (page) {
        const t = trades.get(byToken.get(page[1]!) ?? '');
        let message: string | undefined;
        try {
          if (t) scan(t.outTradeNo);
          if (t && req.method === 'POST') {
            await readBody(req);
            await pay(t.outTradeNo);
          }
        } catch (e) {
          message = (e as Error).message === 'QR_EXPIRED' || (e as Error).message === 'TRADE_CLOSED' ? '交易已关闭' : '支付未完成';
        }
        res.writeHead(t ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(qrPage(t, message));
        return;
      }
      if (req.method === 'GET' && u.pathname === '/__sim/books') return json(200, books());
      const hook = /^\/__sim\/(pay|scan)\/([^/]+)$/.exec(u.pathname);
      if (req.method === 'POST' && hook) {
        try {
          if (hook[1] === 'pay') await pay(decodeURIComponent(hook[2]!));
          else scan(decodeURIComponent(hook[2]!));
          return json(200, { ok: true });
        } catch (e) {
          return json(409, { ok: false, code: (e as Error).message });
        }
      }
      if (req.method === 'POST' && u.pathname === '/__sim/fault') {
        try {
          inject(JSON.parse(await readBody(req)) as AlipayFault);
          return json(200, { ok: true });
        } catch {
          return json(400, { ok: false });
        }
      }
      json(404, { code: 'NOT_FOUND' });
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gatewayUrl = `${url}/gateway.do`;

  const files: Record<string, string> = {};
  const env: Record<string, string> = { ALIPAY_ENDPOINT: gatewayUrl, ALIPAY_APP_ID: appId };
  if (opts.keyDir) {
    mkdirSync(opts.keyDir, { recursive: true, mode: 0o700 });
    const put = (name: string, text: string, envName: string) => {
      const f = join(opts.keyDir!, name);
      writeFileSync(f, text, { mode: 0o600 });
      files[envName] = f;
      env[envName] = f;
    };
    put('app_private_key.pem', keys.appPrivateKeyPem, 'ALIPAY_PRIVATE_KEY_FILE');
    if (mode === 'public-key') put('alipay_public_key.pem', keys.alipayPublicKeyPem, 'ALIPAY_PUBLIC_KEY_FILE');
    else {
      put(`appCertPublicKey_${appId}.crt`, keys.appCertPem!, 'ALIPAY_APP_CERT_FILE');
      put('alipayCertPublicKey_RSA2.crt', keys.alipayCertPem!, 'ALIPAY_PUBLIC_CERT_FILE');
      put('alipayRootCert.crt', keys.rootCertPem!, 'ALIPAY_ROOT_CERT_FILE');
    }
    const envFile = join(opts.keyDir, 'alipay.env');
    writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    files.envFile = envFile;
  }

  function books(): AlipayBooks {
    const list = [...trades.values()];
    list.forEach(expireDue);
    const rs = [...refunds.values()];
    const out: AlipayBooks = {
      trades: list.map((t) => ({
        outTradeNo: t.outTradeNo,
        amountFen: t.amountFen,
        status: t.scanned ? t.status : 'NOT_SCANNED',
        attach: t.body,
        expiresAt: t.expiresAt,
        paid: !!t.sendPayDate,
        refundedFen: t.refundedFen,
        refundCount: rs.filter((r) => r.outTradeNo === t.outTradeNo).length,
      })),
      totals: { trades: list.length, paidCount: 0, paidFen: 0, refundCount: rs.length, refundedFen: 0 },
    };
    for (const t of out.trades) {
      if (t.paid) {
        out.totals.paidCount++;
        out.totals.paidFen += t.amountFen;
      }
      out.totals.refundedFen += t.refundedFen;
    }
    return out;
  }

  function inject(fault: AlipayFault): void {
    const kinds = ['http-error', 'system-error', 'unknown-error', 'timeout', 'bad-signature', 'unsigned', 'error'];
    if (!fault || !kinds.includes(fault.kind)) throw new Error('unknown fault');
    if (fault.method !== undefined && !METHODS.has(fault.method)) throw new Error('unknown method');
    faults.push({ ...fault, left: fault.times ?? 1 });
  }

  return {
    url,
    gateway: gatewayUrl,
    appId,
    mode,
    env,
    files,
    keys,
    scan,
    pay,
    trade: (no) => trades.get(no),
    books,
    refunds: () => [...refunds.values()],
    inject,
    clearFaults: () => void faults.splice(0),
    advanceTime: (ms) => void (clockOffset += ms),
    requests: () => [...requestLog],
    notifications: () => [...notifyLog],
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
