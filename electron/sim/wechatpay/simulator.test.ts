// The simulator judged by an independent implementation: requests signed and answers verified
// with wechatpay-axios-plugin's Rsa/Formatter/AesGcm, not with this project's signing code.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OracleAesGcm, OracleFormatter, OracleRsa } from '../../main/services/payment/wechatpay/oracle.test-helpers';
import { startWeChatPaySimulator, type WeChatPaySimulator } from './simulator';

const dir = mkdtempSync(join(tmpdir(), 'wxsim-ind-'));
let sim: WeChatPaySimulator;
let certSim: WeChatPaySimulator;

beforeAll(async () => {
  sim = await startWeChatPaySimulator({ keyDir: join(dir, 'a') });
  certSim = await startWeChatPaySimulator({ keyDir: join(dir, 'b'), mode: 'certificate' });
});
afterAll(async () => {
  await sim.close();
  await certSim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  s?: WeChatPaySimulator;
  headers?: Record<string, string | undefined>;
  tsOffset?: number;
  tamper?: boolean;
  mchid?: string;
}

async function call({ method, path, body, s = sim, headers = {}, tsOffset = 0, tamper, mchid }: Call) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000) + tsOffset;
  const nonce = OracleFormatter.nonce(32);
  const key = createPrivateKey(s.keys.merchantPrivateKeyPem);
  const sig = OracleRsa.sign(OracleFormatter.request(method, path, ts, nonce, tamper ? `${text} ` : text), key);
  const h: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'oracle-test/1.0',
    authorization: OracleFormatter.authorization(mchid ?? s.mchid, nonce, sig, ts, s.merchantSerial),
  };
  if (text) h['content-type'] = 'application/json';
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete h[k];
    else h[k] = v;
  }
  const res = await request(s.url + path, { method, headers: h, body: text || undefined });
  const raw = await res.body.text();
  const rh = res.headers as Record<string, string>;
  const verifyKey = s.keys.publicKeyPem ? createPublicKey(s.keys.publicKeyPem) : new X509Certificate(s.keys.platformCertPem!).publicKey;
  const verified = OracleRsa.verify(OracleFormatter.response(rh['wechatpay-timestamp']!, rh['wechatpay-nonce']!, raw), rh['wechatpay-signature']!, verifyKey);
  return { status: res.statusCode, json: raw ? (JSON.parse(raw) as Record<string, unknown>) : null, verified, serial: rh['wechatpay-serial'], requestId: rh['request-id'] };
}

let n = 0;
const nativeBody = (s: WeChatPaySimulator, over: Record<string, unknown> = {}) => ({
  appid: s.appid,
  mchid: s.mchid,
  description: '团圆照相馆-电子版',
  out_trade_no: `IND${Date.now()}${n++}`,
  time_expire: new Date(Date.now() + 600_000).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
  notify_url: 'https://kiosk.example.com/notify',
  amount: { total: 990, currency: 'CNY' },
  ...over,
});

describe('simulator checked with an independent implementation', () => {
  it('accepts requests signed by the oracle and signs its answers so the oracle verifies them (200 and 204)', async () => {
    const b = nativeBody(sim);
    const c = await call({ method: 'POST', path: '/v3/pay/transactions/native', body: b });
    expect(c).toMatchObject({ status: 200, verified: true, serial: sim.publicKeyId });
    expect(String(c.json!.code_url)).toMatch(/\/pay\/[0-9a-f]{24}$/);
    expect(c.requestId).toBeTruthy();
    const q = await call({ method: 'GET', path: `/v3/pay/transactions/out-trade-no/${b.out_trade_no}?mchid=${sim.mchid}` });
    expect(q).toMatchObject({ status: 200, verified: true, json: { trade_state: 'NOTPAY', out_trade_no: b.out_trade_no, amount: { total: 990 } } });
    const close = await call({ method: 'POST', path: `/v3/pay/transactions/out-trade-no/${b.out_trade_no}/close`, body: { mchid: sim.mchid } });
    expect(close).toMatchObject({ status: 204, verified: true, json: null });
  });

  it('rejects bad signatures, stale timestamps, missing headers and mismatched mchid — with signed errors', async () => {
    const path = '/v3/pay/transactions/native';
    expect(await call({ method: 'POST', path, body: nativeBody(sim), tamper: true })).toMatchObject({ status: 401, verified: true, json: { code: 'SIGN_ERROR' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim), tsOffset: -301 })).toMatchObject({ status: 401, json: { code: 'SIGN_ERROR' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim), headers: { accept: undefined } })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim), headers: { 'user-agent': undefined } })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim, { mchid: '1230000109' }) })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim, { attach: null }) })).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim, { amount: { total: 0, currency: 'CNY' } }) })).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim, { description: '全家福🎉' }) })).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim, { appid: 'wx0000000000000000' }) })).toMatchObject({ status: 400, json: { code: 'APPID_MCHID_NOT_MATCH' } });
    expect(await call({ method: 'POST', path, body: nativeBody(sim), headers: { 'wechatpay-serial': 'PUB_KEY_ID_000' } })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'GET', path: '/v3/pay/transactions/out-trade-no/NOPE123456?mchid=' + sim.mchid })).toMatchObject({ status: 404, verified: true, json: { code: 'ORDER_NOT_EXIST' } });
  });

  it('models re-entry: identical body → same code_url (any key order), paid order → ORDER_PAID, closed → ORDER_CLOSED', async () => {
    const path = '/v3/pay/transactions/native';
    const b = nativeBody(sim);
    const first = await call({ method: 'POST', path, body: b });
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    expect((await call({ method: 'POST', path, body: reordered })).json).toEqual(first.json);
    await sim.pay(b.out_trade_no);
    expect(await call({ method: 'POST', path, body: b })).toMatchObject({ status: 400, json: { code: 'ORDER_PAID' } });
    expect(await call({ method: 'POST', path: `/v3/pay/transactions/out-trade-no/${b.out_trade_no}/close`, body: { mchid: sim.mchid } })).toMatchObject({
      status: 400,
      json: { code: 'ORDER_PAID' },
    });
    const c = nativeBody(sim);
    await call({ method: 'POST', path, body: c });
    await call({ method: 'POST', path: `/v3/pay/transactions/out-trade-no/${c.out_trade_no}/close`, body: { mchid: sim.mchid } });
    expect(await call({ method: 'POST', path, body: c })).toMatchObject({ status: 400, json: { code: 'ORDER_CLOSED' } });
  });

  it('serves a scan-and-pay page at the code_url', async () => {
    const b = nativeBody(sim, { amount: { total: 2990, currency: 'CNY' } });
    const url = String((await call({ method: 'POST', path: '/v3/pay/transactions/native', body: b })).json!.code_url);
    const page = await request(url);
    const html = await page.body.text();
    expect(page.statusCode).toBe(200);
    expect(html).toContain('¥29.90');
    expect(html).toContain('确认支付');
    const paid = await request(url, { method: 'POST', body: '' });
    expect(await paid.body.text()).toContain('支付成功');
    expect(sim.order(b.out_trade_no)?.state).toBe('SUCCESS');
    expect((await request(`${sim.url}/pay/${'0'.repeat(24)}`)).statusCode).toBe(404);
  });

  it('delivers platform certificates encrypted with the APIv3 key (certificate mode)', async () => {
    const c = await call({ method: 'GET', path: '/v3/certificates', s: certSim });
    expect(c).toMatchObject({ status: 200, verified: true, serial: certSim.platformSerial });
    const item = (c.json!.data as Array<{ serial_no: string; encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string } }>)[0]!;
    const pem = OracleAesGcm.decrypt(item.encrypt_certificate.ciphertext, certSim.apiv3Key, item.encrypt_certificate.nonce, item.encrypt_certificate.associated_data);
    const x = new X509Certificate(pem);
    expect(x.serialNumber.toUpperCase()).toBe(item.serial_no);
    expect(item.serial_no).toBe(certSim.platformSerial);
  });

  it('keeps refunds within the order total and reuses an out_refund_no only with the same body', async () => {
    const b = nativeBody(sim, { amount: { total: 1000, currency: 'CNY' } });
    await call({ method: 'POST', path: '/v3/pay/transactions/native', body: b });
    await sim.pay(b.out_trade_no);
    const refund = (no: string, amt: number) => ({ out_trade_no: b.out_trade_no, out_refund_no: no, amount: { refund: amt, total: 1000, currency: 'CNY' } });
    expect(await call({ method: 'POST', path: '/v3/refund/domestic/refunds', body: refund(`${b.out_trade_no}-1`, 600) })).toMatchObject({ status: 200, verified: true, json: { status: 'PROCESSING' } });
    expect(await call({ method: 'POST', path: '/v3/refund/domestic/refunds', body: refund(`${b.out_trade_no}-1`, 500) })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'POST', path: '/v3/refund/domestic/refunds', body: refund(`${b.out_trade_no}-2`, 500) })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call({ method: 'POST', path: '/v3/refund/domestic/refunds', body: refund(`${b.out_trade_no}-2`, 400) })).toMatchObject({ status: 200 });
    expect(sim.books().orders.find((o) => o.outTradeNo === b.out_trade_no)).toMatchObject({ refundCount: 2, refundedFen: 1000, state: 'REFUND' });
    expect(await call({ method: 'GET', path: `/v3/refund/domestic/refunds/${b.out_trade_no}-9` })).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
  });
});
