// The Alipay adapter against the protocol-faithful simulator: the kiosk's words for Alipay's
// states, the not-yet-scanned trade, close/pay races, refunds once per out_request_no, faults.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAlipaySimulator, type AlipaySimulator } from '../../../../sim/alipay/simulator';
import { setLogFile } from '../../../infra/log';
import { PaymentError } from '../types';
import { createAlipay, notificationAnswer, parseAlipayNotification, type AlipayProvider } from '.';

setLogFile(null, { quiet: true });

let dir: string;
let sim: AlipaySimulator;
let certSim: AlipaySimulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alipay-provider-'));
  sim = await startAlipaySimulator({ keyDir: join(dir, 'pk') });
  certSim = await startAlipaySimulator({ mode: 'certificate', keyDir: join(dir, 'cert') });
});
afterEach(() => {
  sim.clearFaults();
  certSim.clearFaults();
});
afterAll(async () => {
  await sim?.close();
  await certSim?.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const tradeNo = () => `K01T${Date.now()}${n++}`;
const order = (no: string, fen = 1990, ttlMs = 180_000) => ({
  outTradeNo: no,
  amountFen: fen,
  description: '团圆照相馆-打印+电子版',
  expiresAt: new Date(Date.now() + ttlMs),
  attach: `K01:${no}`,
});
const providerFor = (s: AlipaySimulator): AlipayProvider => {
  const p = createAlipay({ section: {}, env: s.env })!.provider;
  Object.assign(p, { backoffMs: 5 });
  return p;
};
async function rejection(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p;
  } catch (e) {
    return e as PaymentError;
  }
  throw new Error('expected a rejection');
}

describe('AlipayProvider against the simulator', () => {
  for (const mode of ['public-key', 'certificate'] as const) {
    it(`${mode} mode: precreate → QR, not scanned = not_found, scanned = pending, paid with the amount`, async () => {
      const s = mode === 'public-key' ? sim : certSim;
      const p = providerFor(s);
      const no = tradeNo();
      const { codeUrl } = await p.create(order(no));
      expect(codeUrl.startsWith(`${s.url}/qr/`)).toBe(true);
      // Alipay creates the trade when the QR is scanned: before that a signed TRADE_NOT_EXIST.
      expect((await p.query(no)).state).toBe('not_found');
      s.scan(no);
      expect((await p.query(no)).state).toBe('pending');
      await s.pay(no);
      const st = await p.query(no);
      expect(st).toMatchObject({ outTradeNo: no, state: 'paid', amountFen: 1990 });
      expect(st.transactionId).toMatch(/^\d{20,}$/);
    });
  }

  it('a precreate repeated after a crash gets the same QR; other content is refused', async () => {
    const p = providerFor(sim);
    const no = tradeNo();
    const o = order(no);
    const a = await p.create(o);
    expect((await p.create({ ...o, expiresAt: new Date(o.expiresAt) })).codeUrl).toBe(a.codeUrl);
    const e = await rejection(p.create({ ...o, amountFen: 2990 }));
    expect([e.code, e.action]).toEqual(['ACQ.CONTEXT_INCONSISTENT', 'stop']);
  });

  it('close: pending → closed; paid → "paid" (the race settled by a query); never scanned → not_found', async () => {
    const p = providerFor(sim);
    const open = tradeNo();
    await p.create(order(open));
    sim.scan(open);
    expect(await p.close(open)).toBe('closed');
    expect((await p.query(open)).state).toBe('closed');
    await expect(sim.pay(open)).rejects.toThrow('TRADE_CLOSED');

    const paid = tradeNo();
    await p.create(order(paid));
    await sim.pay(paid);
    expect(await p.close(paid)).toBe('paid');

    const unscanned = tradeNo();
    await p.create(order(unscanned));
    expect(await p.close(unscanned)).toBe('not_found');
    // …and its QR still works until it expires: why the order service keeps closing until then.
    await sim.pay(unscanned);
    expect((await p.query(unscanned)).state).toBe('paid');
  });

  it('an unscanned QR cannot be paid after its time_expire', async () => {
    const p = providerFor(sim);
    const no = tradeNo();
    await p.create(order(no, 990, 60_000));
    sim.advanceTime(61_000);
    try {
      await expect(sim.pay(no)).rejects.toThrow('QR_EXPIRED');
    } finally {
      sim.advanceTime(-61_000);
    }
  });

  it('refunds once per out_request_no however often it is repeated; a full refund reads as refunded', async () => {
    const p = providerFor(sim);
    const no = tradeNo();
    await p.create(order(no, 2990));
    await sim.pay(no);
    const req = { outTradeNo: no, outRefundNo: `RF${no}`, totalFen: 2990, refundFen: 2990, reason: '打印失败自动退款' };
    expect((await p.refundDetail(req)).fundChange).toBe('Y');
    // The answer is lost after Alipay processed it: the retry moves no money (fund_change N, confirmed by the refund query).
    sim.inject({ kind: 'timeout', method: 'alipay.trade.refund', process: true, ms: 50 });
    expect((await p.refund(req)).state).toBe('success');
    expect(sim.books().trades.find((t) => t.outTradeNo === no)).toMatchObject({ refundedFen: 2990, refundCount: 1, status: 'TRADE_CLOSED' });
    expect((await p.queryRefund(req.outRefundNo, no)).state).toBe('success');
    expect((await p.queryRefund(`RX${no}`, no)).state).toBe('not_found');
    // Closed after a full refund, but it was paid: the kiosk reads "refunded", with the amount.
    expect(await p.query(no)).toMatchObject({ state: 'refunded', amountFen: 2990 });
    const e = await rejection(p.refund({ ...req, outRefundNo: `R2${no}` }));
    expect([e.code, e.action]).toEqual(['ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', 'stop']);
  });
});

describe('faults', () => {
  it('retries ACQ.SYSTEM_ERROR, 20000 and HTTP 502 with the same request and succeeds', async () => {
    const p = providerFor(sim);
    const no = tradeNo();
    sim.inject({ kind: 'system-error', method: 'alipay.trade.precreate' });
    sim.inject({ kind: 'unknown-error', method: 'alipay.trade.precreate' });
    await p.create(order(no));
    sim.inject({ kind: 'http-error', status: 502, method: 'alipay.trade.query' });
    expect((await p.query(no)).state).toBe('not_found');
    expect(sim.requests().filter((r) => r.outTradeNo === no && r.method === 'alipay.trade.precreate').map((r) => r.code)).toEqual([
      'ACQ.SYSTEM_ERROR',
      'isp.unknow-error',
      '10000',
    ]);
  });

  it('never trusts an answer whose signature does not verify, or a success without one', async () => {
    const p = providerFor(sim);
    const no = tradeNo();
    await p.create(order(no));
    await sim.pay(no);
    sim.inject({ kind: 'bad-signature', method: 'alipay.trade.query', times: 3 });
    const e = await rejection(p.query(no));
    expect([e.code, e.action]).toEqual(['RESPONSE_SIGNATURE_INVALID', 'retry']);
    sim.inject({ kind: 'unsigned', method: 'alipay.trade.query', times: 3 });
    expect((await rejection(p.query(no))).code).toBe('RESPONSE_SIGNATURE_INVALID');
    // An unsigned TRADE_NOT_EXIST proves nothing: it is an error to retry, not 'not_found'.
    sim.inject({ kind: 'error', code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST', signed: false, method: 'alipay.trade.query' });
    expect((await rejection(p.query(no))).code).toBe('ACQ.TRADE_NOT_EXIST');
    expect((await p.query(no)).state).toBe('paid');
  });

  it('a wrong app key is refused by the gateway (isv.invalid-signature, unsigned, stop)', async () => {
    const other = createAlipay({ section: {}, env: { ...sim.env, ALIPAY_PRIVATE_KEY_FILE: certSim.env.ALIPAY_PRIVATE_KEY_FILE! } })!.provider;
    const e = await rejection(other.create(order(tradeNo())));
    expect([e.code, e.action]).toEqual(['isv.invalid-signature', 'stop']);
  });

  it('certificate mode: an answer signed under another Alipay certificate is refused', async () => {
    const p = createAlipay({ section: {}, env: { ...certSim.env, ALIPAY_APP_ID: certSim.appId } })!;
    p.credentials.alipayCertSn = '0'.repeat(32);
    const e = await rejection(p.provider.query(tradeNo()));
    expect(e.code).toBe('RESPONSE_SIGNATURE_INVALID');
  });
});

describe('notifications', () => {
  it('a verified trade_status_sync for our app is accepted and answered "success"; a tampered one is refused and retried', async () => {
    const retrySim = await startAlipaySimulator({ keyDir: join(dir, 'notify'), notifyScheduleMs: [30, 30] });
    const seen: { ok: boolean; status?: string; amount?: string }[] = [];
    let tamper = true;
    let check: Parameters<typeof parseAlipayNotification>[1] | undefined;
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const raw = tamper ? body.replace(/total_amount=[^&]+/, 'total_amount=0.01') : body;
        tamper = false;
        const r = parseAlipayNotification(raw, check!);
        seen.push(r.ok ? { ok: true, status: r.notification.tradeStatus, amount: r.notification.totalAmount } : { ok: false });
        res.end(notificationAnswer(r.ok));
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const notifyUrl = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/alipay/notify`;
    try {
      const p = createAlipay({ section: {}, env: { ...retrySim.env, ALIPAY_NOTIFY_URL: notifyUrl } })!;
      check = { appId: p.credentials.appId, alipayPublicKey: p.credentials.alipayPublicKey };
      const no = tradeNo();
      await p.provider.create(order(no, 990));
      await retrySim.pay(no);
      const end = Date.now() + 5000;
      while (!retrySim.notifications().some((n) => n.answer === 'success') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([{ ok: false }, { ok: true, status: 'TRADE_SUCCESS', amount: '9.90' }]);
      expect(retrySim.notifications().map((n) => n.answer)).toEqual(['failure', 'success']);
    } finally {
      await retrySim.close();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
