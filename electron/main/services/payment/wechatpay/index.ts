// WeChat Pay APIv3 Native: the one entry point the composition root needs.
import type { SecretStore } from '../../config/secrets';
import { wechatPayConfigFromEnv, type WeChatPayConfig } from './config';
import { loadWeChatPayCredentials, type WeChatPayCredentials } from './credentials';
import { WeChatPayProvider } from './provider';

export { WeChatPayConfig, WeChatPayConfigError, wechatPayConfigFromEnv, DEFAULT_ENDPOINT } from './config';
export { loadWeChatPayCredentials, SECRET_APIV3_KEY, SECRET_PRIVATE_KEY, type WeChatPayCredentials } from './credentials';
export { WeChatPayProvider, type RefundDetail, type TradeDetail, type WeChatPayProviderOptions } from './provider';
export { notificationAnswer, parseNotification, type NotificationContext, type NotificationResult } from './notify';
export { classifyWeChatError, isNotFound, isOrderPaid } from './errors';

export interface WeChatPaySetup {
  provider: WeChatPayProvider;
  config: WeChatPayConfig;
  credentials: WeChatPayCredentials;
}

/**
 * Builds the provider from the config file's `wechatpay` section + WECHATPAY_* env + secret store.
 * Returns null when WeChat Pay is not configured (the kiosk keeps simulated payment).
 * Throws WeChatPayConfigError / Error naming what is missing (never the secret values).
 */
export function createWeChatPay(opts: { section: unknown; env?: NodeJS.ProcessEnv; secrets?: SecretStore | null }): WeChatPaySetup | null {
  const config = wechatPayConfigFromEnv(opts.section, opts.env ?? process.env);
  if (!config) return null;
  const credentials = loadWeChatPayCredentials(config, opts.secrets);
  return { provider: new WeChatPayProvider({ config, credentials }), config, credentials };
}
