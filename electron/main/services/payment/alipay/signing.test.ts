// RSA2 signing, answer and notification verification, and the certificate serials, checked
// against an independent implementation: the official npm `alipay-sdk` (devDependency, tests only).
// Its own signer must produce the same signature as ours, its getSN the same serials, its client
// must be accepted by our simulator, and it must accept our simulator's signed answers.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlipaySimulator, type AlipaySimulator } from '../../../../sim/alipay/simulator';
import { setLogFile } from '../../../infra/log';
import { certSn, rootCertSn } from './certs';
import { loadAlipayCredentials, alipayConfigFromEnv } from './config';
import { AlipayProvider } from './provider';
import { extractNode, fenToYuan, responseNode, rsa2Sign, signContent, signRequest, verifyNotification, yuanToFen } from './signing';

setLogFile(null, { quiet: true });

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let dir: string;
let pk: AlipaySimulator;
let cert: AlipaySimulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alipay-sign-'));
  pk = await startAlipaySimulator({ keyDir: join(dir, 'pk') });
  cert = await startAlipaySimulator({ mode: 'certificate', keyDir: join(dir, 'cert') });
});
afterAll(async () => {
  await pk?.close();
  await cert?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('request signing (RSA2 over the sorted parameters)', () => {
  it('gives the same signature as alipay-sdk for the parameters it signed', () => {
    const sdk = new AlipaySdk({ appId: '2021000000000001', keyType: 'PKCS8', privateKey: privatePem, alipayPublicKey: publicPem });
    const signed = new URLSearchParams(
      sdk.sdkExec('alipay.trade.precreate', {
        bizContent: { out_trade_no: 'K01T1', total_amount: '19.90', subject: '团圆照相馆-打印+电子版', body: 'K01:ord_1' },
        notifyUrl: 'https://kiosk.example.com/alipay/notify',
      }),
    );
    const params = Object.fromEntries(signed) as Record<string, string>;
    expect(params.sign_type).toBe('RSA2');
    const ours = signRequest({ ...params, sign: '' }, keys.privateKey);
    expect(ours.sign).toBe(params.sign);
    // What is signed: every parameter but sign, sorted, raw values (sign_type included).
    const content = signContent(params);
    expect(content.startsWith('app_id=2021000000000001&biz_content={')).toBe(true);
    expect(content).toContain('&sign_type=RSA2&');
    expect(content).not.toContain('sign=');
  });

  it('leaves out empty values and sorts by key in ASCII order', () => {
    expect(signContent({ b: '2', a: '1', C: '0', empty: '', none: undefined, sign: 'x' })).toBe('C=0&a=1&b=2');
    expect(signContent({ sign: 's', sign_type: 'RSA2', a: '1' }, ['sign', 'sign_type'])).toBe('a=1');
  });
});

describe('answers: the raw *_response node is what is signed', () => {
  it('extracts the node exactly as sent, with keys in any order, escapes and nested objects', () => {
    const node = '{"code":"10000","msg":"Success","out_trade_no":"A\\"}1","fund_bill_list":[{"amount":"1.00","fund_channel":"ALIPAYACCOUNT"}]}';
    const body = `{"sign":"abc","alipay_trade_query_response":${node},"alipay_cert_sn":"sn"}`;
    expect(extractNode(body, 'alipay_trade_query_response')).toBe(node);
    expect(responseNode(body, 'alipay.trade.query')).toMatchObject({ name: 'alipay_trade_query_response', raw: node, sign: 'abc', certSn: 'sn' });
    expect(responseNode('{"error_response":{"code":"40002"}}', 'alipay.trade.query')?.name).toBe('error_response');
  });

  it('alipay-sdk (exec against our simulator) accepts our simulator’s signatures, and the simulator accepts alipay-sdk’s requests', async () => {
    // alipay-sdk writes `timestamp` in the machine's local time; the gateway reads it as Beijing time
    // (our adapter always writes GMT+8): run it as a kiosk in China would.
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
    try {
      for (const sim of [pk, cert]) {
        const sdk =
          sim.mode === 'public-key'
            ? new AlipaySdk({ appId: sim.appId, keyType: 'PKCS8', privateKey: sim.keys.appPrivateKeyPem, alipayPublicKey: sim.keys.alipayPublicKeyPem, gateway: sim.gateway })
            : new AlipaySdk({
                appId: sim.appId,
                keyType: 'PKCS8', privateKey: sim.keys.appPrivateKeyPem,
                gateway: sim.gateway,
                appCertContent: sim.keys.appCertPem!,
                alipayPublicCertContent: sim.keys.alipayCertPem!,
                alipayRootCertContent: sim.keys.rootCertPem!,
              });
        const no = `SDK${Date.now()}${sim.mode === 'public-key' ? 'P' : 'C'}`;
        const created = await sdk.exec('alipay.trade.precreate', { bizContent: { out_trade_no: no, total_amount: '9.90', subject: '电子版' } }, { validateSign: true });
        expect(created).toMatchObject({ code: '10000', outTradeNo: no });
        expect(String(created.qrCode)).toContain(`${sim.url}/qr/`);
        await sim.pay(no);
        const q = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: no } }, { validateSign: true });
        expect(q).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS', totalAmount: '9.90' });
        expect(sim.requests().filter((r) => r.outTradeNo === no).map((r) => r.code)).toEqual(['10000', '10000']);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('our adapter and alipay-sdk compute the same app_cert_sn and alipay_root_cert_sn (RSA roots only)', () => {
    const sdk = new AlipaySdk({
      appId: cert.appId,
      keyType: 'PKCS8', privateKey: cert.keys.appPrivateKeyPem,
      appCertContent: cert.keys.appCertPem!,
      alipayPublicCertContent: cert.keys.alipayCertPem!,
      alipayRootCertContent: cert.keys.rootCertPem!,
    });
    expect(certSn(cert.keys.appCertPem!)).toBe(sdk.config.appCertSn);
    expect(rootCertSn(cert.keys.rootCertPem!)).toBe(sdk.config.alipayRootCertSn);
    // The bundle holds an RSA root and an ECDSA one: only the RSA one counts (one SN, no "_").
    expect(rootCertSn(cert.keys.rootCertPem!)).toMatch(/^[0-9a-f]{32}$/);
    const creds = loadAlipayCredentials(alipayConfigFromEnv({}, cert.env)!);
    expect([creds.mode, creds.appCertSn, creds.alipayRootCertSn]).toEqual(['certificate', sdk.config.appCertSn, sdk.config.alipayRootCertSn]);
  });
});

describe('notifications (form-encoded, signed without sign and sign_type)', () => {
  it('verifies what alipay-sdk verifies, and refuses a changed amount or a wrong key', () => {
    const form: Record<string, string> = {
      notify_time: '2026-12-07 08:00:00',
      notify_type: 'trade_status_sync',
      notify_id: 'ac05099524730693a8b330c5ecf72da9786',
      app_id: '2021000000000001',
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: '2026120722001401234567890123',
      out_trade_no: 'K01T1',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '19.90',
      subject: '团圆照相馆 打印+电子版 & 祝福',
    };
    form.sign = rsa2Sign(signContent(form, ['sign', 'sign_type']), keys.privateKey);
    const sdk = new AlipaySdk({ appId: form.app_id!, keyType: 'PKCS8', privateKey: privatePem, alipayPublicKey: publicPem });
    expect(sdk.checkNotifySignV2({ ...form })).toBe(true);
    expect(verifyNotification(form, keys.publicKey)).toBe(true);
    expect(verifyNotification({ ...form, total_amount: '0.01' }, keys.publicKey)).toBe(false);
    expect(sdk.checkNotifySignV2({ ...form, total_amount: '0.01' })).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(verifyNotification(form, other.publicKey)).toBe(false);
  });
});

describe('amounts', () => {
  it('fen ⇄ yuan exactly (no floating point)', () => {
    expect([fenToYuan(1), fenToYuan(990), fenToYuan(1990), fenToYuan(10_000_000_000)]).toEqual(['0.01', '9.90', '19.90', '100000000.00']);
    expect([yuanToFen('0.01'), yuanToFen('19.9'), yuanToFen('19.90'), yuanToFen('29.9')]).toEqual([1, 1990, 1990, 2990]);
    expect([yuanToFen('1.999'), yuanToFen('-1.00'), yuanToFen('abc'), yuanToFen(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('the adapter signs what alipay-sdk would sign', () => {
  it('its signed parameters verify with the app public key as alipay-sdk checks them', () => {
    const creds = loadAlipayCredentials(alipayConfigFromEnv({}, pk.env)!);
    const provider = new AlipayProvider({ config: alipayConfigFromEnv({}, pk.env)!, credentials: creds });
    const params = provider.signedParams('alipay.trade.query', { out_trade_no: 'K01T1' });
    // rsaCheck verifies content + sign with the configured public key: the app's own public key here.
    const appPublic = new AlipaySdk({ appId: pk.appId, keyType: 'PKCS8', privateKey: pk.keys.appPrivateKeyPem, alipayPublicKey: createPublicKey(creds.privateKey).export({ type: 'spki', format: 'pem' }).toString() });
    expect(appPublic.rsaCheck(signContent(params), params.sign!)).toBe(true);
    expect(appPublic.rsaCheck(signContent({ ...params, biz_content: '{"out_trade_no":"K01T2"}' }), params.sign!)).toBe(false);
  });
});
