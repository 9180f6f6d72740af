// Notifications built with the independent implementation (wechatpay-axios-plugin's Rsa/AesGcm)
// in the documented envelope layout, then parsed by ours.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { notificationAnswer, parseNotification } from './notify';
import { OracleAesGcm, OracleFormatter, OracleRsa } from './oracle.test-helpers';

const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUB_ID = 'PUB_KEY_ID_0114232806112025031900329800000001';
const APIV3 = 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21';
const MCHID = '1900000109';
const ts = 1_769_500_000;

function build(plain: object, opts: { aad?: string; key?: string; tamper?: boolean; signTs?: number; eventType?: string } = {}) {
  const nonce = 'fdasflkja484';
  const aad = opts.aad ?? 'transaction';
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2026-01-27T15:46:40+08:00',
    resource_type: 'encrypt-resource',
    event_type: opts.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: OracleAesGcm.encrypt(JSON.stringify(plain), opts.key ?? APIV3, nonce, aad),
      associated_data: aad,
      nonce,
    },
  });
  const t = opts.signTs ?? ts;
  const headers = {
    'Wechatpay-Timestamp': String(t),
    'Wechatpay-Nonce': 'abcdef0123456789',
    'Wechatpay-Serial': PUB_ID,
    'Wechatpay-Signature': OracleRsa.sign(OracleFormatter.response(t, 'abcdef0123456789', body), wechat.privateKey),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
  return { headers, body: opts.tamper ? body.replace('支付成功', '支付失败') : body };
}

const tx = (over: object = {}) => ({
  appid: 'wxd678efh567hg6787',
  mchid: MCHID,
  out_trade_no: 'K20260127A0001',
  transaction_id: '4200000000202601270000000001',
  trade_type: 'NATIVE',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'OTHERS',
  attach: 'kiosk=K01;order=A0001',
  success_time: '2026-01-27T15:46:39+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 1990, payer_total: 1990, currency: 'CNY', payer_currency: 'CNY' },
  ...over,
});

const ctx = {
  verifierKeys: new Map([[PUB_ID, wechat.publicKey]]),
  apiv3Key: APIV3,
  mchid: MCHID,
  appid: 'wxd678efh567hg6787',
  expectedOrder: (no: string) => (no === 'K20260127A0001' ? { amountFen: 1990 } : undefined),
  now: ts * 1000,
};

describe('parseNotification', () => {
  it('accepts a genuine payment notification and returns the transaction', () => {
    const n = build(tx());
    const r = parseNotification(n.headers, Buffer.from(n.body), ctx);
    expect(r).toMatchObject({ ok: true, kind: 'transaction', eventId: 'EV-2018022511223320873', transaction: { trade_state: 'SUCCESS', out_trade_no: 'K20260127A0001' } });
    expect(notificationAnswer(r).status).toBe(204);
  });

  it('accepts an empty associated_data (refund samples)', () => {
    const n = build(tx(), { aad: '' });
    expect(parseNotification(n.headers, n.body, ctx).ok).toBe(true);
  });

  it('checks the signature before anything else: a changed byte is refused without decrypting', () => {
    const n = build(tx(), { tamper: true });
    expect(parseNotification(n.headers, n.body, { ...ctx, apiv3Key: 'wrong-key-wrong-key-wrong-key-32' })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses probes, stale notifications, a wrong APIv3 key, other merchants, unknown orders and wrong amounts', () => {
    const probe = build(tx());
    probe.headers['Wechatpay-Signature'] = 'WECHATPAY/SIGNTEST/' + probe.headers['Wechatpay-Signature'];
    const cases: Array<[ReturnType<typeof build>, string]> = [
      [probe, 'SIGNTEST_PROBE'],
      [build(tx(), { signTs: ts - 301 }), 'TIMESTAMP_SKEW'],
      [build(tx(), { key: 'b'.repeat(32) }), 'DECRYPT_FAILED'],
      [build(tx({ mchid: '1230000109' })), 'WRONG_MERCHANT'],
      [build(tx({ out_trade_no: 'K20260127A9999' })), 'UNKNOWN_ORDER'],
      [build(tx({ amount: { total: 1 } })), 'AMOUNT_MISMATCH'],
    ];
    for (const [n, reason] of cases) {
      const r = parseNotification(n.headers, n.body, ctx);
      expect(r).toEqual({ ok: false, reason });
      const a = notificationAnswer(r);
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(a.body)).toEqual({ code: 'FAIL', message: reason });
    }
  });

  it('parses a refund notification (refund_status) for a known order', () => {
    const n = build(
      {
        mchid: MCHID,
        out_trade_no: 'K20260127A0001',
        transaction_id: '4200000000202601270000000001',
        out_refund_no: 'K20260127A0001R1',
        refund_id: '50000000382019052709732678859',
        refund_status: 'SUCCESS',
        success_time: '2026-01-27T16:00:00+08:00',
        user_received_account: '招商银行信用卡0403',
        amount: { total: 1990, refund: 1990, payer_total: 1990, payer_refund: 1990 },
      },
      { aad: 'refund', eventType: 'REFUND.SUCCESS' },
    );
    expect(parseNotification(n.headers, n.body, ctx)).toMatchObject({ ok: true, kind: 'refund', refund: { status: 'SUCCESS', out_refund_no: 'K20260127A0001R1' } });
  });

  it('survives garbage', () => {
    expect(parseNotification({}, 'not json', ctx).ok).toBe(false);
    const n = build(tx());
    expect(parseNotification(n.headers, n.body.slice(0, 10), ctx)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});
