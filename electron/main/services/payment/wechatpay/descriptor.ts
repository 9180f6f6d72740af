// WeChat Pay APIv3 Native as a kiosk provider (settings: README "WeChat Pay").
import { defineProvider, zodIssues } from '../../../providerDef';
import { createWeChatPay, DEFAULT_ENDPOINT, SECRET_APIV3_KEY, SECRET_PRIVATE_KEY, WeChatPayConfigError, wechatPayConfigFromEnv } from '.';

export const wechatpayProvider = defineProvider({
  id: 'wechatpay',
  kind: 'payment',
  label: 'WeChat Pay',
  demo: false,
  section: 'wechatpay',
  env: [
    'WECHATPAY_ENDPOINT',
    'WECHATPAY_BACKUP_ENDPOINT',
    'WECHATPAY_MCHID',
    'WECHATPAY_APPID',
    'WECHATPAY_MERCHANT_SERIAL',
    'WECHATPAY_PRIVATE_KEY_FILE',
    'WECHATPAY_PUBLIC_KEY_FILE',
    'WECHATPAY_PUBLIC_KEY_ID',
    'WECHATPAY_APIV3_KEY',
    'WECHATPAY_NOTIFY_URL',
    'WECHATPAY_PLATFORM_CERT_FILES',
  ],
  secrets: [
    { name: SECRET_PRIVATE_KEY, env: 'WECHATPAY_PRIVATE_KEY_FILE' },
    { name: SECRET_APIV3_KEY, env: 'WECHATPAY_APIV3_KEY' },
  ],
  check: (config, env) => {
    try {
      if (!wechatPayConfigFromEnv(config.wechatpay, env)) return [{ path: 'wechatpay.mchid', message: 'WeChat Pay is chosen but no merchant is configured' }];
      return [];
    } catch (e) {
      if (e instanceof WeChatPayConfigError) return e.issues.map((i) => ({ path: `wechatpay.${i.split(':')[0]}`, message: i }));
      return zodIssues('wechatpay', e);
    }
  },
  endpoint: (config, env) => {
    const s = (config.wechatpay as { endpoint?: unknown }).endpoint;
    return env.WECHATPAY_ENDPOINT || (typeof s === 'string' && s ? s : DEFAULT_ENDPOINT);
  },
  create: (ctx) => {
    const setup = createWeChatPay({ section: ctx.config.wechatpay, env: ctx.env, secrets: ctx.secrets });
    if (!setup) throw new Error('providers.payment is "wechatpay" but the merchant settings are incomplete — see README "WeChat Pay"');
    return { payment: setup.provider };
  },
});
