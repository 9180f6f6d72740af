// Alipay merchant configuration (当面付): the config file's `alipay` section, overridden field by
// field by ALIPAY_* environment variables. Two key modes:
//   public-key mode:   ALIPAY_PUBLIC_KEY_FILE (the Alipay public key, 支付宝公钥);
//   certificate mode:  ALIPAY_APP_CERT_FILE (appCertPublicKey_<appid>.crt), ALIPAY_PUBLIC_CERT_FILE
//                      (alipayCertPublicKey_RSA2.crt) and ALIPAY_ROOT_CERT_FILE (alipayRootCert.crt).
// The app private key: ALIPAY_PRIVATE_KEY_FILE (PKCS#8 or PKCS#1 PEM) or the secret store.
import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { SecretStore } from '../../config/secrets';
import { certSn, publicKeyOfCert, rootCertSn } from './certs';

export const DEFAULT_GATEWAY = 'https://openapi.alipay.com/gateway.do';
export const SECRET_ALIPAY_PRIVATE_KEY = 'alipay.private-key';

export const AlipayConfig = z
  .object({
    endpoint: z.url({ protocol: /^https?$/ }).default(DEFAULT_GATEWAY),
    appId: z.string().regex(/^\d{8,32}$/, 'appId is the numeric application id (APPID)'),
    privateKeyFile: z.string().min(1).optional(),
    publicKeyFile: z.string().min(1).optional(),
    appCertFile: z.string().min(1).optional(),
    alipayCertFile: z.string().min(1).optional(),
    rootCertFile: z.string().min(1).optional(),
    /** Optional: Alipay posts trade_status_sync here; the kiosk polls either way. */
    notifyUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Optional: the 2088… partner id the trades must belong to (checked on every answer that names it). */
    sellerId: z.string().regex(/^2088\d{12}$/, 'sellerId is the 16-digit 2088… partner id').optional(),
    requestTimeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
  })
  .refine((c) => !!c.publicKeyFile || (!!c.appCertFile && !!c.alipayCertFile && !!c.rootCertFile), {
    message: 'configure the Alipay public key (publicKeyFile) or the three certificates (appCertFile, alipayCertFile, rootCertFile)',
    path: ['publicKeyFile'],
  });
export type AlipayConfig = z.infer<typeof AlipayConfig>;

const ENV_OVERRIDES = {
  ALIPAY_ENDPOINT: 'endpoint',
  ALIPAY_APP_ID: 'appId',
  ALIPAY_PRIVATE_KEY_FILE: 'privateKeyFile',
  ALIPAY_PUBLIC_KEY_FILE: 'publicKeyFile',
  ALIPAY_APP_CERT_FILE: 'appCertFile',
  ALIPAY_PUBLIC_CERT_FILE: 'alipayCertFile',
  ALIPAY_ROOT_CERT_FILE: 'rootCertFile',
  ALIPAY_NOTIFY_URL: 'notifyUrl',
  ALIPAY_SELLER_ID: 'sellerId',
} as const;

export class AlipayConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Alipay configuration is incomplete: ${issues.join('; ')}`);
    this.name = 'AlipayConfigError';
  }
}

/** Null when Alipay is not configured at all (no app id anywhere); throws AlipayConfigError naming fields when half-configured. */
export function alipayConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): AlipayConfig | null {
  const merged: Record<string, unknown> =
    fileSection && typeof fileSection === 'object' && !Array.isArray(fileSection) ? { ...(fileSection as Record<string, unknown>) } : {};
  for (const [name, field] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[field] = v.trim();
  }
  if (merged.appId === undefined || merged.appId === '') return null;
  if (typeof merged.appId === 'number') merged.appId = String(merged.appId);
  const parsed = AlipayConfig.safeParse(merged);
  if (!parsed.success) throw new AlipayConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'alipay'}: ${i.message}`));
  return parsed.data;
}

export interface AlipayCredentials {
  appId: string;
  privateKey: KeyObject;
  /** The key answers and notifications are verified with. */
  alipayPublicKey: KeyObject;
  mode: 'public-key' | 'certificate';
  /** Certificate mode: sent with every request. */
  appCertSn?: string;
  alipayRootCertSn?: string;
  /** Certificate mode: the SN answers must name (alipay_cert_sn). */
  alipayCertSn?: string;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} (${file}): ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** A PEM, or the bare Base64 body Alipay's key tool writes (PKCS#8 for private keys, SPKI for public keys). */
function pemOf(text: string, kind: 'PRIVATE KEY' | 'PUBLIC KEY'): string {
  const t = text.trim();
  if (t.includes('-----BEGIN')) return t;
  const body = t.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
}

export function loadAlipayCredentials(cfg: AlipayConfig, secrets?: SecretStore | null): AlipayCredentials {
  const keyText = cfg.privateKeyFile ? readText(cfg.privateKeyFile, 'Alipay app private key') : (secrets?.get(SECRET_ALIPAY_PRIVATE_KEY) ?? null);
  if (!keyText) throw new Error('Alipay app private key not configured: set ALIPAY_PRIVATE_KEY_FILE or import it into the secret store');
  const privateKey = createPrivateKey(pemOf(keyText, 'PRIVATE KEY'));
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the Alipay app private key must be RSA (RSA2 signing)');
  if (cfg.publicKeyFile) {
    return { appId: cfg.appId, privateKey, alipayPublicKey: createPublicKey(pemOf(readText(cfg.publicKeyFile, 'Alipay public key'), 'PUBLIC KEY')), mode: 'public-key' };
  }
  const appCert = readText(cfg.appCertFile!, 'app public-key certificate');
  const alipayCert = readText(cfg.alipayCertFile!, 'Alipay public-key certificate');
  const root = readText(cfg.rootCertFile!, 'Alipay root certificate');
  const alipayRootCertSn = rootCertSn(root);
  if (!alipayRootCertSn) throw new Error('the Alipay root certificate file holds no RSA certificate');
  return {
    appId: cfg.appId,
    privateKey,
    alipayPublicKey: publicKeyOfCert(alipayCert),
    mode: 'certificate',
    appCertSn: certSn(appCert),
    alipayRootCertSn,
    alipayCertSn: certSn(alipayCert),
  };
}
