import { describe, expect, it } from 'vitest';
import { classifyWeChatError, paymentMessage, weChatError } from './errors';

describe('WeChat Pay error classes (notes A2 table)', () => {
  it.each([
    [500, 'SYSTEM_ERROR', 'retry'],
    [500, 'SYSTEMERROR', 'retry'],
    [500, 'BANK_ERROR', 'retry'],
    [429, 'FREQUENCY_LIMITED', 'retry'],
    [429, 'RATELIMIT_EXCEEDED', 'retry'],
    [503, 'SERVICE_UNAVAILABLE', 'retry'],
    [502, undefined, 'retry'],
    [500, 'INVALID_TRANSACTIONID', 'stop'],
    [500, 'OPENID_MISMATCH', 'stop'],
    [400, 'ORDER_PAID', 'poll'],
    [403, 'ORDERPAID', 'poll'],
    [202, 'USER_PAYING', 'poll'],
    [400, 'PARAM_ERROR', 'stop'],
    [400, 'INVALID_REQUEST', 'stop'],
    [400, 'APPID_MCHID_NOT_MATCH', 'stop'],
    [400, 'ORDER_CLOSED', 'stop'],
    [401, 'SIGN_ERROR', 'stop'],
    [403, 'NO_AUTH', 'stop'],
    [403, 'RULE_LIMIT', 'stop'],
    [403, 'OUT_TRADE_NO_USED', 'stop'],
    [404, 'ORDER_NOT_EXIST', 'stop'],
    [404, 'ORDERNOTEXIST', 'stop'],
  ] as const)('%i %s → %s', (status, code, action) => {
    expect(classifyWeChatError(status, code)).toBe(action);
  });

  it('treats NOT_ENOUGH as retry for refunds (merchant balance) and stop for orders', () => {
    expect(classifyWeChatError(403, 'NOT_ENOUGH', 'refund')).toBe('retry');
    expect(classifyWeChatError(403, 'NOT_ENOUGH', 'trade')).toBe('stop');
    expect(classifyWeChatError(500, 'BIZERR_NEED_RETRY', 'refund')).toBe('retry');
  });

  it('carries a Chinese message for the screen and the status for the log', () => {
    const e = weChatError(401, 'SIGN_ERROR', '08AB-268443699');
    expect(e.message).toMatch(/签名/);
    expect(e).toMatchObject({ code: 'SIGN_ERROR', action: 'stop', status: 401, requestId: '08AB-268443699' });
    expect(weChatError(502, undefined).code).toBe('HTTP_502');
    expect(paymentMessage('WHATEVER')).toMatch(/支付/);
  });
});
