// Alipay 当面付 as a kiosk provider (settings: README "Alipay", payment/alipay/README.md).
import { defineProvider, zodIssues } from '../../../providerDef';
import { AlipayConfigError, alipayConfigFromEnv, createAlipay, DEFAULT_GATEWAY, SECRET_ALIPAY_PRIVATE_KEY } from '.';

export const alipayProvider = defineProvider({
  id: 'alipay',
  kind: 'payment',
  label: 'Alipay',
  demo: false,
  section: 'alipay',
  env: [
    'ALIPAY_ENDPOINT',
    'ALIPAY_APP_ID',
    'ALIPAY_PRIVATE_KEY_FILE',
    'ALIPAY_PUBLIC_KEY_FILE',
    'ALIPAY_APP_CERT_FILE',
    'ALIPAY_PUBLIC_CERT_FILE',
    'ALIPAY_ROOT_CERT_FILE',
    'ALIPAY_NOTIFY_URL',
    'ALIPAY_SELLER_ID',
  ],
  secrets: [{ name: SECRET_ALIPAY_PRIVATE_KEY, env: 'ALIPAY_PRIVATE_KEY_FILE' }],
  check: (config, env, secrets) => {
    try {
      const c = alipayConfigFromEnv(config.alipay, env);
      if (!c) return [{ path: 'alipay.appId', message: 'Alipay is chosen but no app is configured' }];
      if (!c.privateKeyFile && !secrets?.has(SECRET_ALIPAY_PRIVATE_KEY)) {
        return [{ path: 'alipay.privateKeyFile', message: 'the app private key is neither a file (ALIPAY_PRIVATE_KEY_FILE) nor in the secret store' }];
      }
      return [];
    } catch (e) {
      if (e instanceof AlipayConfigError) return e.issues.map((i) => ({ path: `alipay.${i.split(':')[0]}`, message: i }));
      return zodIssues('alipay', e);
    }
  },
  endpoint: (config, env) => {
    const s = (config.alipay as { endpoint?: unknown } | undefined)?.endpoint;
    return env.ALIPAY_ENDPOINT || (typeof s === 'string' && s ? s : DEFAULT_GATEWAY);
  },
  create: (ctx) => {
    const setup = createAlipay({ section: ctx.config.alipay, env: ctx.env, secrets: ctx.secrets });
    if (!setup) throw new Error('providers.payment is "alipay" but the app settings are incomplete — see README "Alipay"');
    return { payment: setup.provider };
  },
});
