// WeChat Pay merchant configuration: a section of the kiosk config file, overridden field by field
// by environment variables. Secrets (the private key and the APIv3 key) may instead live in the
// SecretStore (config/secrets.ts); see credentials.ts for how the two are combined.
import { z } from 'zod';

export const DEFAULT_ENDPOINT = 'https://api.mch.weixin.qq.com';

/** The fields without the cross-field rules (the certificate bootstrap needs a config that has no verifier yet). */
export const WeChatPayConfigBase = z.object({
    endpoint: z.url({ protocol: /^https?$/ }).default(DEFAULT_ENDPOINT),
    /**
     * Second access point used when the first fails with a network error or 5xx (notes A2: retry,
     * optionally on api2). Every call is idempotent, so switching hosts mid-retry is safe.
     * Production: https://api2.mch.weixin.qq.com. Empty = no failover.
     */
    backupEndpoint: z.url({ protocol: /^https?$/ }).optional(),
    mchid: z.string().regex(/^\d{1,32}$/, 'mchid is the numeric merchant number'),
    appid: z.string().min(1).max(32),
    /** Serial number of the merchant API certificate (hex), sent as serial_no in Authorization. */
    merchantSerial: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'merchant serial is the hex serial of the API certificate'),
    /** PKCS#8 PEM (apiclient_key.pem). Optional when the key is in the secret store. */
    privateKeyFile: z.string().min(1).optional(),
    /** WeChat Pay public key (public-key mode) and its id PUB_KEY_ID_… */
    publicKeyFile: z.string().min(1).optional(),
    publicKeyId: z.string().regex(/^PUB_KEY_ID_\d{16,40}$/, 'public key id looks like PUB_KEY_ID_<digits>').optional(),
    /** Platform certificates (certificate mode); both modes may be configured during a migration. */
    platformCertFiles: z.array(z.string().min(1)).default([]),
    /** 32-character APIv3 key. Optional when it is in the secret store. */
    apiv3Key: z.string().length(32, 'the APIv3 key has 32 characters').optional(),
    /** Required by the create API; must be https without a query. Notifications are optional for the kiosk (it polls). */
    notifyUrl: z.url({ protocol: /^https?$/ }).refine((u) => !u.includes('?'), 'notify_url must not have a query string'),
    /** How long a Native QR stays payable (time_expire = now + this). */
    orderTtlSeconds: z.number().int().min(60).max(7200).default(300),
    requestTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
});

export const WeChatPayConfig = WeChatPayConfigBase
  .refine((c) => (c.publicKeyFile ? !!c.publicKeyId : !c.publicKeyId), {
    message: 'publicKeyFile and publicKeyId go together',
    path: ['publicKeyId'],
  })
  .refine((c) => !!c.publicKeyFile || c.platformCertFiles.length > 0, {
    message: 'configure the WeChat Pay public key (publicKeyFile + publicKeyId) or platform certificates',
    path: ['publicKeyFile'],
  });
export type WeChatPayConfig = z.infer<typeof WeChatPayConfig>;

const ENV_OVERRIDES = {
  WECHATPAY_ENDPOINT: 'endpoint',
  WECHATPAY_BACKUP_ENDPOINT: 'backupEndpoint',
  WECHATPAY_MCHID: 'mchid',
  WECHATPAY_APPID: 'appid',
  WECHATPAY_MERCHANT_SERIAL: 'merchantSerial',
  WECHATPAY_PRIVATE_KEY_FILE: 'privateKeyFile',
  WECHATPAY_PUBLIC_KEY_FILE: 'publicKeyFile',
  WECHATPAY_PUBLIC_KEY_ID: 'publicKeyId',
  WECHATPAY_APIV3_KEY: 'apiv3Key',
  WECHATPAY_NOTIFY_URL: 'notifyUrl',
  WECHATPAY_PLATFORM_CERT_FILES: 'platformCertFiles',
} as const;

export class WeChatPayConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`WeChat Pay configuration is incomplete: ${issues.join('; ')}`);
    this.name = 'WeChatPayConfigError';
  }
}

/**
 * Merges the config file's `wechatpay` section with environment overrides.
 * Returns null when WeChat Pay is not configured at all (no mchid anywhere): the kiosk then keeps
 * its simulated payment. Throws WeChatPayConfigError, naming the fields, when it is half-configured.
 * Error texts never contain the values (the APIv3 key is one of them).
 */
export function wechatPayConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): WeChatPayConfig | null {
  return parseMerged(WeChatPayConfig, fileSection, env);
}

/** As wechatPayConfigFromEnv, without requiring a WeChat Pay public key or certificate (certificate download). */
export function wechatPayBaseConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): z.infer<typeof WeChatPayConfigBase> | null {
  return parseMerged(WeChatPayConfigBase, fileSection, env);
}

function parseMerged<S extends z.ZodType>(schema: S, fileSection: unknown, env: NodeJS.ProcessEnv): z.infer<S> | null {
  const merged: Record<string, unknown> =
    fileSection && typeof fileSection === 'object' && !Array.isArray(fileSection) ? { ...(fileSection as Record<string, unknown>) } : {};
  for (const [name, field] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    merged[field] = field === 'platformCertFiles' ? v.split(/[,;]/).map((s) => s.trim()).filter(Boolean) : v.trim();
  }
  if (merged.mchid === undefined || merged.mchid === '') return null;
  if (typeof merged.mchid === 'number') merged.mchid = String(merged.mchid);
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new WeChatPayConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'wechatpay'}: ${i.message}`));
  }
  return parsed.data;
}
