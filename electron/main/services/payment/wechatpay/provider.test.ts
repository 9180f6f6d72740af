import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogFile } from '../../../infra/log';
import { PaymentError } from '../types';
import { wechatPayConfigFromEnv } from './config';
import { loadWeChatPayCredentials } from './credentials';
import { notificationAnswer, parseNotification, type NotificationResult } from './notify';
import { WeChatPayProvider } from './provider';
import { startWeChatPaySimulator, type WeChatPaySimulator } from '../../../../sim/wechatpay/simulator';

setLogFile(null, { quiet: true });

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wxsim-'));
  dirs.push(d);
  return d;
};

function providerFor(sim: WeChatPaySimulator, opts: { maxAttempts?: number; env?: Record<string, string> } = {}) {
  const config = wechatPayConfigFromEnv({ requestTimeoutMs: 1000 }, { ...sim.env, ...opts.env })!;
  const credentials = loadWeChatPayCredentials(config);
  return { provider: new WeChatPayProvider({ config, credentials, maxAttempts: opts.maxAttempts ?? 3, backoffMs: 20 }), config, credentials };
}

let seq = 0;
const tradeNo = () => `K${Date.now().toString(36)}${(seq++).toString().padStart(4, '0')}`;
const order = (no: string, amountFen = 1990, ttlMs = 300_000) => ({
  outTradeNo: no,
  amountFen,
  description: '团圆照相馆-打印+电子版',
  expiresAt: new Date(Date.now() + ttlMs),
  attach: `kiosk=K01;order=${no}`,
});

async function rejection(p: Promise<unknown>): Promise<PaymentError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PaymentError) return e;
    throw e;
  }
  throw new Error('expected a PaymentError');
}

let sim: WeChatPaySimulator;
let notifySrv: Server;
const received: NotificationResult[] = [];
const expected = new Map<string, number>();

beforeAll(async () => {
  notifySrv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = parseNotification(req.headers, Buffer.concat(chunks), {
        verifierKeys: credentialsForNotify(),
        apiv3Key: sim.apiv3Key,
        mchid: sim.mchid,
        appid: sim.appid,
        expectedOrder: (no) => (expected.has(no) ? { amountFen: expected.get(no)! } : undefined),
      });
      received.push(r);
      const a = notificationAnswer(r);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => notifySrv.listen(0, '127.0.0.1', r));
  const notifyUrl = `http://127.0.0.1:${(notifySrv.address() as AddressInfo).port}/wechatpay/notify`;
  sim = await startWeChatPaySimulator({ keyDir: tmp(), notifyUrl, refundDelayMs: 50, notifyScheduleMs: [50, 50] });
});

afterAll(async () => {
  await sim?.close();
  await new Promise<void>((r) => notifySrv.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let notifyKeys: ReturnType<typeof loadWeChatPayCredentials>['verifierKeys'] | undefined;
function credentialsForNotify() {
  notifyKeys ??= providerFor(sim).credentials.verifierKeys;
  return notifyKeys;
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WeChatPayProvider against the simulator (public-key mode)', () => {
  it('creates a Native order, sees it unpaid, then paid with the amount and attach echoed', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    const { codeUrl } = await provider.create(order(no));
    expect(codeUrl.startsWith(`${sim.url}/pay/`)).toBe(true);
    expect((await provider.query(no)).state).toBe('pending');
    await sim.pay(no);
    const d = await provider.queryDetail(no);
    expect(d).toMatchObject({ state: 'SUCCESS', amountFen: 1990, attach: `kiosk=K01;order=${no}` });
    expect(d.transactionId).toMatch(/^4200\d+$/);
  });

  it('re-sends an identical create after a crash and gets the same QR; a changed body is refused', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    const o = order(no);
    const a = await provider.create(o);
    const b = await providerFor(sim).provider.create({ ...o, expiresAt: new Date(o.expiresAt) });
    expect(b.codeUrl).toBe(a.codeUrl);
    const e = await rejection(provider.create({ ...o, amountFen: 2990 }));
    expect([e.code, e.action]).toEqual(['INVALID_REQUEST', 'stop']);
  });

  it('close then query settles the race: an unpaid order ends CLOSED, a paid one stays paid', async () => {
    const { provider } = providerFor(sim);
    const unpaid = tradeNo();
    await provider.create(order(unpaid));
    expect((await provider.closeAndSettle(unpaid)).state).toBe('CLOSED');
    await expect(sim.pay(unpaid)).rejects.toThrow('ORDER_CLOSED');

    const paid = tradeNo();
    await provider.create(order(paid));
    await sim.pay(paid); // the customer pays just before the kiosk gives up
    const e = await rejection(provider.closeWire(paid));
    expect([e.code, e.action]).toEqual(['ORDER_PAID', 'poll']);
    expect(await provider.close(paid)).toBe('paid'); // the kiosk's words: too late, it was paid
    expect((await provider.closeAndSettle(paid)).state).toBe('SUCCESS');

    // A create that never reached WeChat settles as CLOSED (signed 404 after close's 204).
    expect((await provider.closeAndSettle(tradeNo())).state).toBe('CLOSED');
    // In the kiosk's words: a signed ORDER_NOT_EXIST is 'not_found', on query and on close.
    expect((await provider.query(tradeNo())).state).toBe('not_found');
  });

  it('auto-closes at time_expire', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    await provider.create(order(no, 990, 90_000));
    sim.advanceTime(91_000);
    try {
      expect((await provider.query(no)).state).toBe('closed');
      await expect(sim.pay(no)).rejects.toThrow('ORDER_CLOSED');
    } finally {
      sim.advanceTime(-91_000);
    }
  });

  it('refunds once per out_refund_no, however often the call is repeated', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    await provider.create(order(no, 2990));
    await sim.pay(no);
    const req = { outTradeNo: no, outRefundNo: `${no}R1`, totalFen: 2990, refundFen: 2990, reason: '打印失败自动退款' };
    expect((await provider.refund(req)).state).toBe('processing');
    sim.inject({ kind: 'timeout', path: '/v3/refund', process: true, ms: 1500 });
    expect(['processing', 'success']).toContain((await provider.refund(req)).state);
    await until(() => sim.refunds().some((r) => r.outRefundNo === req.outRefundNo && r.status === 'SUCCESS'));
    expect((await provider.queryRefund(req.outRefundNo)).state).toBe('success');
    const row = sim.books().orders.find((o) => o.outTradeNo === no)!;
    expect([row.refundCount, row.refundedFen, row.state]).toEqual([1, 2990, 'REFUND']);
    // A second refund number for the same money is refused: nothing left to refund.
    const e = await rejection(provider.refund({ ...req, outRefundNo: `${no}R2` }));
    expect([e.code, e.action]).toEqual(['INVALID_REQUEST', 'stop']);
    const nf = await rejection(provider.queryRefundDetail(`${no}R9`));
    expect([nf.code, nf.action]).toEqual(['RESOURCE_NOT_EXISTS', 'stop']);
    expect((await provider.queryRefund(`${no}R9`)).state).toBe('not_found');
  });
});

describe('faults and error classes', () => {
  it('retries 500 SYSTEM_ERROR with the same request and succeeds', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    sim.inject({ kind: 'server-error', path: '/v3/pay/transactions/native' });
    await provider.create(order(no));
    const tries = sim.requests().filter((r) => r.path === '/v3/pay/transactions/native' && r.fault === 'server-error');
    expect(tries.length).toBeGreaterThan(0);
    expect(sim.order(no)?.state).toBe('NOTPAY');
  });

  it('gives up on persistent 429 FREQUENCY_LIMITED with action retry', async () => {
    const { provider } = providerFor(sim, { maxAttempts: 2 });
    const no = tradeNo();
    sim.inject({ kind: 'rate-limit', times: 2 });
    const e = await rejection(provider.query(no));
    expect([e.code, e.action]).toEqual(['FREQUENCY_LIMITED', 'retry']);
  });

  it('surfaces business errors as stop, without retrying them', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    await provider.create(order(no));
    const before = sim.requests().length;
    sim.inject({ kind: 'error', status: 403, code: 'NO_AUTH', path: '/v3/pay/transactions/out-trade-no' });
    const e = await rejection(provider.close(no));
    expect([e.code, e.action]).toEqual(['NO_AUTH', 'stop']);
    expect(sim.requests().length - before).toBe(1);
    expect(sim.order(no)?.state).toBe('NOTPAY');
    expect(() => sim.inject({ kind: 'error', status: 200, code: 'OK' })).toThrow();
  });

  it('fails over to the backup access point (api2) when the main one is unreachable', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((r) => dead.close(() => r()));
    const { provider } = providerFor(sim, { env: { WECHATPAY_ENDPOINT: deadUrl, WECHATPAY_BACKUP_ENDPOINT: sim.url } });
    const no = tradeNo();
    await provider.create(order(no));
    expect(sim.order(no)?.state).toBe('NOTPAY');
    const alone = providerFor(sim, { env: { WECHATPAY_ENDPOINT: deadUrl }, maxAttempts: 2 }).provider;
    const e = await rejection(alone.query(no));
    expect([e.code, e.action]).toEqual(['NETWORK_ERROR', 'retry']);
  });

  it('recovers from a lost create answer (timeout) by resending the identical body', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    sim.inject({ kind: 'timeout', path: '/v3/pay/transactions/native', process: true, ms: 3000 });
    const { codeUrl } = await provider.create(order(no));
    expect(codeUrl).toContain('/pay/');
    expect(sim.books().orders.filter((o) => o.outTradeNo === no)).toHaveLength(1);
  });

  it('refuses answers whose signature does not verify (bad signature, SIGNTEST, clock skew)', async () => {
    const { provider } = providerFor(sim, { maxAttempts: 1 });
    const no = tradeNo();
    await provider.create(order(no));
    for (const kind of ['bad-signature', 'signtest'] as const) {
      sim.inject({ kind });
      const e = await rejection(provider.query(no));
      expect([e.code, e.action, (e as PaymentError & { reason?: string }).reason]).toEqual([
        'RESPONSE_SIGNATURE_INVALID',
        'retry',
        kind === 'signtest' ? 'SIGNTEST_PROBE' : 'BAD_SIGNATURE',
      ]);
    }
    sim.setClockSkew(400);
    try {
      const e = await rejection(provider.query(no));
      expect([e.code, (e as PaymentError & { reason?: string }).reason]).toEqual(['RESPONSE_SIGNATURE_INVALID', 'TIMESTAMP_SKEW']);
    } finally {
      sim.setClockSkew(0);
    }
    expect((await provider.query(no)).state).toBe('pending');
  });

  it('is refused with SIGN_ERROR (stop) when the kiosk signs with the wrong key', async () => {
    const other = await startWeChatPaySimulator({ keyDir: tmp() });
    try {
      const { provider } = providerFor(sim, { env: { WECHATPAY_PRIVATE_KEY_FILE: other.files.privateKeyFile! }, maxAttempts: 1 });
      const e = await rejection(provider.query(tradeNo()));
      expect([e.code, e.action]).toEqual(['SIGN_ERROR', 'stop']);
    } finally {
      await other.close();
    }
  });

  it('refuses bad input locally without calling WeChat', async () => {
    const { provider } = providerFor(sim);
    const before = sim.requests().length;
    for (const bad of [order('x'), order(tradeNo(), 0), order(tradeNo(), 1.5), { ...order(tradeNo()), attach: 'x'.repeat(200) }]) {
      const e = await rejection(provider.create(bad));
      expect([e.code, e.action]).toEqual(['PARAM_ERROR', 'stop']);
    }
    expect(sim.requests().length).toBe(before);
  });
});

describe('notifications', () => {
  it('delivers an encrypted, signed payment notification that the kiosk verifies, decrypts and checks', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    expected.set(no, 1990);
    await provider.create(order(no));
    await sim.pay(no);
    await until(() => received.some((r) => r.ok && r.kind === 'transaction' && r.transaction.out_trade_no === no));
    const r = received.find((x) => x.ok && x.kind === 'transaction' && x.transaction.out_trade_no === no);
    expect(r).toMatchObject({ ok: true, eventType: 'TRANSACTION.SUCCESS', transaction: { trade_state: 'SUCCESS', amount: { total: 1990 } } });
    // The simulator records the answer once it has arrived, a moment after the kiosk has handled it.
    await until(() => sim.notifications().some((n) => n.outTradeNo === no && n.status === 204));
    // The kiosk never refused it (a 4xx/5xx would make WeChat retry for hours).
    expect(sim.notifications().filter((n) => n.outTradeNo === no && n.status >= 400)).toEqual([]);
  });

  it('answers an amount mismatch with 4xx, so WeChat retries', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    expected.set(no, 1); // our record says 1 fen: the notification's 1990 must not be accepted
    await provider.create(order(no));
    await sim.pay(no);
    await until(() => sim.notifications().filter((n) => n.outTradeNo === no).length >= 3);
    expect(sim.notifications().filter((n) => n.outTradeNo === no).map((n) => n.status)).toEqual([400, 400, 400]);
    expect(received.filter((x) => !x.ok && x.reason === 'AMOUNT_MISMATCH').length).toBeGreaterThanOrEqual(3);
  });

  it('answers a SIGNTEST probe with a non-2xx status', async () => {
    const url = `http://127.0.0.1:${(notifySrv.address() as AddressInfo).port}/wechatpay/notify`;
    const status = await sim.probeNotify(url);
    expect(status).toBeGreaterThanOrEqual(400);
  });

  it('sends a refund notification that parses as a refund', async () => {
    const { provider } = providerFor(sim);
    const no = tradeNo();
    expected.set(no, 990);
    await provider.create(order(no, 990));
    await sim.pay(no);
    await provider.refund({ outTradeNo: no, outRefundNo: `${no}R1`, totalFen: 990, refundFen: 990, reason: '迟到支付自动退款' });
    await until(() => received.some((r) => r.ok && r.kind === 'refund' && r.refund.out_refund_no === `${no}R1`));
    const r = received.find((x) => x.ok && x.kind === 'refund' && x.refund.out_refund_no === `${no}R1`);
    expect(r).toMatchObject({ eventType: 'REFUND.SUCCESS', refund: { status: 'SUCCESS', amount: { refund: 990 } } });
  });
});

describe('platform-certificate mode', () => {
  it('verifies answers by the certificate serial and works end to end', async () => {
    const certSim = await startWeChatPaySimulator({ mode: 'certificate', keyDir: tmp() });
    try {
      expect(certSim.platformSerial).toMatch(/^[0-9A-F]{40}$/);
      expect(certSim.env.WECHATPAY_PUBLIC_KEY_ID).toBeUndefined();
      const { provider, credentials } = providerFor(certSim);
      expect([...credentials.verifierKeys.keys()]).toEqual([certSim.platformSerial]);
      const no = tradeNo();
      await provider.create(order(no));
      await certSim.pay(no);
      expect((await provider.query(no)).state).toBe('paid');
    } finally {
      await certSim.close();
    }
  });

  it('accepts both keys during a migration, chosen by the serial WeChat sends', async () => {
    const both = await startWeChatPaySimulator({ mode: 'both', keyDir: tmp() });
    try {
      const { provider, credentials } = providerFor(both);
      expect(credentials.verifierKeys.size).toBe(2);
      const no = tradeNo();
      await provider.create(order(no));
      expect((await provider.query(no)).state).toBe('pending');
    } finally {
      await both.close();
    }
  });
});
