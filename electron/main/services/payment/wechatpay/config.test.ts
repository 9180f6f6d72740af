import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINT, WeChatPayConfigError, wechatPayConfigFromEnv } from './config';

const file = {
  mchid: '1900000109',
  appid: 'wxd678efh567hg6787',
  merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  privateKeyFile: '/etc/kiosk/apiclient_key.pem',
  publicKeyFile: '/etc/kiosk/pub_key.pem',
  publicKeyId: 'PUB_KEY_ID_0114232806112025031900329800000001',
  notifyUrl: 'https://pay.example.com/wechatpay/notify',
};

describe('wechatPayConfigFromEnv', () => {
  it('is null when WeChat Pay is not configured, so the simulated default stays', () => {
    expect(wechatPayConfigFromEnv(undefined, {})).toBeNull();
    expect(wechatPayConfigFromEnv({ appid: 'x' }, {})).toBeNull();
  });

  it('reads the file section with defaults', () => {
    const c = wechatPayConfigFromEnv(file, {})!;
    expect(c.endpoint).toBe(DEFAULT_ENDPOINT);
    expect(c.orderTtlSeconds).toBe(300);
    expect(c.platformCertFiles).toEqual([]);
  });

  it('lets every WECHATPAY_* variable override its field', () => {
    const c = wechatPayConfigFromEnv(file, {
      WECHATPAY_ENDPOINT: 'http://127.0.0.1:4567',
      WECHATPAY_MCHID: '1230000109',
      WECHATPAY_APPID: 'wx0000000000000001',
      WECHATPAY_MERCHANT_SERIAL: 'ABCDEF0123456789',
      WECHATPAY_PRIVATE_KEY_FILE: '/tmp/k.pem',
      WECHATPAY_PUBLIC_KEY_FILE: '/tmp/p.pem',
      WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0000000000000000000000000000000002',
      WECHATPAY_APIV3_KEY: 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21',
    })!;
    expect(c).toMatchObject({
      endpoint: 'http://127.0.0.1:4567',
      mchid: '1230000109',
      appid: 'wx0000000000000001',
      merchantSerial: 'ABCDEF0123456789',
      privateKeyFile: '/tmp/k.pem',
      publicKeyFile: '/tmp/p.pem',
      publicKeyId: 'PUB_KEY_ID_0000000000000000000000000000000002',
      apiv3Key: 'a7cde1ef4a93ff6f9b8ba5c2b2d4fe21',
    });
  });

  it('names the missing or wrong fields without echoing secret values', () => {
    let err: unknown;
    try {
      wechatPayConfigFromEnv({ ...file, publicKeyFile: undefined, publicKeyId: undefined }, { WECHATPAY_APIV3_KEY: 'too-short-secret-value' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeChatPayConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('apiv3Key');
    expect(msg).toContain('publicKeyFile');
    expect(msg).not.toContain('too-short-secret-value');
    expect(() => wechatPayConfigFromEnv({ ...file, notifyUrl: 'https://x.example.com/n?a=1' }, {})).toThrow(/notifyUrl/);
    expect(() => wechatPayConfigFromEnv({ ...file, publicKeyId: 'PUB_KEY_ID_12' }, {})).toThrow(/publicKeyId/);
  });

  it('accepts platform certificates instead of a public key', () => {
    const c = wechatPayConfigFromEnv({ ...file, publicKeyFile: undefined, publicKeyId: undefined }, { WECHATPAY_PLATFORM_CERT_FILES: '/a.pem, /b.pem' })!;
    expect(c.platformCertFiles).toEqual(['/a.pem', '/b.pem']);
  });
});
