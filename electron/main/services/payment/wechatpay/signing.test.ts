import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesGcmDecrypt, aesGcmEncrypt } from './aead';
import { OracleAesGcm, OracleFormatter, OracleRsa } from './oracle.test-helpers';
import {
  parseAuthorization,
  requestMessage,
  responseMessage,
  signRequest,
  verifyWechatpaySignature,
} from './signing';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB_ID = 'PUB_KEY_ID_0114232806112025031900329800000001';
const keys = new Map([[PUB_ID, wechat.publicKey]]);

describe('message layouts (notes A2)', () => {
  it('matches the documented request layout, byte for byte, including the final newline on GET', () => {
    // The example from the WeChat Pay signature guide.
    expect(requestMessage('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242')).toBe(
      'GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n',
    );
    const body = '{"mchid":"1900000109","appid":"wxd678efh567hg6787"}';
    expect(requestMessage('post', '/v3/pay/transactions/native', 1, 'n', body)).toBe(OracleFormatter.request('POST', '/v3/pay/transactions/native', 1, 'n', body));
    expect(requestMessage('GET', '/v3/pay/transactions/out-trade-no/K1?mchid=1', 2, 'x')).toBe(
      OracleFormatter.request('GET', '/v3/pay/transactions/out-trade-no/K1?mchid=1', 2, 'x'),
    );
  });

  it('matches the response layout, with an empty last line for 204', () => {
    expect(responseMessage(1554209980, 'c5ac7061fccab6bf3e254dcf98995b8c', '').toString()).toBe('1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n\n');
    expect(responseMessage('1', 'n', '{"a":1}').toString()).toBe(OracleFormatter.response('1', 'n', '{"a":1}'));
  });
});

describe('request signing', () => {
  it('produces the same signature and header as the independent implementation', () => {
    const now = 1_700_000_000_000;
    const body = '{"amount":{"total":990,"currency":"CNY"}}';
    const s = signRequest({
      method: 'POST',
      canonicalUrl: '/v3/pay/transactions/native',
      body,
      mchid: '1900000109',
      serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      privateKey: merchant.privateKey,
      now,
      nonce: 'abc123',
    });
    // PKCS#1 v1.5 is deterministic: an identical signature proves an identical message and algorithm.
    const oracleSig = OracleRsa.sign(OracleFormatter.request('POST', '/v3/pay/transactions/native', 1_700_000_000, 'abc123', body), merchant.privateKey);
    expect(s.authorization).toContain(`signature="${oracleSig}"`);
    const parsed = parseAuthorization(s.authorization);
    expect(parsed).toMatchObject({ mchid: '1900000109', nonce_str: 'abc123', timestamp: '1700000000', serial_no: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' });
    expect(OracleRsa.verify(OracleFormatter.request('POST', '/v3/pay/transactions/native', parsed!.timestamp, 'abc123', body), parsed!.signature, merchant.publicKey)).toBe(true);
  });

  it('parses the Authorization header in any field order and rejects malformed ones', () => {
    const h = OracleFormatter.authorization('1900000109', 'NONCE', 'c2ln', 1554208460, 'ABCDEF');
    expect(parseAuthorization(h)).toEqual({ mchid: '1900000109', nonce_str: 'NONCE', signature: 'c2ln', timestamp: '1554208460', serial_no: 'ABCDEF' });
    expect(parseAuthorization('Bearer x')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="s",signature="x"')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s"')).toBeNull();
    expect(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1" junk')).toBeNull();
  });
});

describe('response verification', () => {
  const t = 1_700_000_000;
  const signed = (body: string, ts = t, nonce = 'N0') => ({
    timestamp: String(ts),
    nonce,
    serial: PUB_ID,
    signature: OracleRsa.sign(OracleFormatter.response(ts, nonce, body), wechat.privateKey),
  });

  it('accepts an answer signed by the independent implementation and rejects a changed byte', () => {
    const body = '{"code_url":"weixin://wxpay/bizpayurl/up?pr=NwY5Mz9&groupid=00"}';
    expect(verifyWechatpaySignature(signed(body), body, keys, t * 1000)).toEqual({ ok: true, serial: PUB_ID });
    expect(verifyWechatpaySignature(signed(body), Buffer.from(body), keys, t * 1000).ok).toBe(true);
    expect(verifyWechatpaySignature(signed(body), body.replace('00', '01'), keys, t * 1000)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    // 204: empty body line
    expect(verifyWechatpaySignature(signed(''), '', keys, t * 1000).ok).toBe(true);
  });

  it('enforces the ±300 s window', () => {
    const body = '{}';
    expect(verifyWechatpaySignature(signed(body), body, keys, (t + 299) * 1000).ok).toBe(true);
    expect(verifyWechatpaySignature(signed(body), body, keys, (t + 300) * 1000)).toEqual({ ok: false, reason: 'TIMESTAMP_SKEW' });
    expect(verifyWechatpaySignature(signed(body), body, keys, (t - 300) * 1000)).toEqual({ ok: false, reason: 'TIMESTAMP_SKEW' });
  });

  it('rejects unknown serials, missing headers and SIGNTEST probes', () => {
    const body = '{}';
    expect(verifyWechatpaySignature({ ...signed(body), serial: 'PUB_KEY_ID_999' }, body, keys, t * 1000)).toEqual({ ok: false, reason: 'UNKNOWN_SERIAL' });
    expect(verifyWechatpaySignature({ ...signed(body), signature: undefined }, body, keys, t * 1000)).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    expect(verifyWechatpaySignature({ ...signed(body), signature: 'WECHATPAY/SIGNTEST/abc' }, body, keys, t * 1000)).toEqual({ ok: false, reason: 'SIGNTEST_PROBE' });
    // A signature by the merchant key (not WeChat's) does not pass as WeChat's.
    const forged = { ...signed(body), signature: OracleRsa.sign(OracleFormatter.response(t, 'N0', body), merchant.privateKey) };
    expect(verifyWechatpaySignature(forged, body, keys, t * 1000)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});

describe('AEAD_AES_256_GCM', () => {
  const key = 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21';
  it('decrypts what the independent implementation encrypts, and the reverse', () => {
    const plain = JSON.stringify({ out_trade_no: 'K20260128A1', trade_state: 'SUCCESS', amount: { total: 1990 } });
    const ct = OracleAesGcm.encrypt(plain, key, 'fdasflkja484', 'transaction');
    expect(aesGcmDecrypt(ct, key, 'fdasflkja484', 'transaction')).toBe(plain);
    expect(OracleAesGcm.decrypt(aesGcmEncrypt(plain, key, 'fdasflkja484', ''), key, 'fdasflkja484', '')).toBe(plain);
    expect(aesGcmEncrypt(plain, key, 'fdasflkja484', 'transaction')).toBe(ct);
  });

  it('returns null for a wrong AAD, key, nonce or a truncated ciphertext', () => {
    const ct = OracleAesGcm.encrypt('{"x":1}', key, 'fdasflkja484', 'transaction');
    expect(aesGcmDecrypt(ct, key, 'fdasflkja484', 'certificate')).toBeNull();
    expect(aesGcmDecrypt(ct, 'b'.repeat(32), 'fdasflkja484', 'transaction')).toBeNull();
    expect(aesGcmDecrypt(ct, key, 'fdasflkja485', 'transaction')).toBeNull();
    expect(aesGcmDecrypt(ct.slice(0, 8), key, 'fdasflkja484', 'transaction')).toBeNull();
    expect(aesGcmDecrypt(ct, 'short', 'fdasflkja484', 'transaction')).toBeNull();
  });
});
