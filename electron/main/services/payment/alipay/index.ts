// Alipay 当面付: the one entry point the composition root and the CLI need.
import type { SecretStore } from '../../config/secrets';
import { alipayConfigFromEnv, loadAlipayCredentials, type AlipayConfig, type AlipayCredentials } from './config';
import { AlipayProvider } from './provider';

export { AlipayConfig, AlipayConfigError, alipayConfigFromEnv, loadAlipayCredentials, DEFAULT_GATEWAY, SECRET_ALIPAY_PRIVATE_KEY } from './config';
export { AlipayProvider, ALIPAY_TRADE_NO_RE, ALIPAY_REQUEST_NO_RE, type AlipayTradeDetail, type AlipayRefundDetail } from './provider';
export { parseAlipayNotification, notificationAnswer } from './notify';

export interface AlipaySetup {
  provider: AlipayProvider;
  config: AlipayConfig;
  credentials: AlipayCredentials;
}

/**
 * Builds the provider from the config file's `alipay` section + ALIPAY_* env + secret store.
 * Null when Alipay is not configured (no app id); throws naming what is missing (never a key).
 */
export function createAlipay(opts: { section: unknown; env?: NodeJS.ProcessEnv; secrets?: SecretStore | null }): AlipaySetup | null {
  const config = alipayConfigFromEnv(opts.section, opts.env ?? process.env);
  if (!config) return null;
  const credentials = loadAlipayCredentials(config, opts.secrets);
  return { provider: new AlipayProvider({ config, credentials }), config, credentials };
}
