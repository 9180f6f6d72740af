// The kiosk's settings: <dataDir>/config.json (generated on first run), overridden by environment
// variables. Provider sections are passed raw to each provider's own schema (…ConfigFromEnv), so
// this file does not need to know every provider's fields. Secrets live in the SecretStore, not here.
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { defaultProviders, isProviderId, KIND_ENV, PROVIDER_KINDS, providerIds, providerSections, type ProviderSection } from '../../providerRegistry';

const log = logger('config');

const Section = z.record(z.string(), z.unknown()).default({});

/** `providers.<kind>`: one of the registry's ids for that kind, its first one by default. */
const Providers = z
  .object({
    generator: z.enum(providerIds('generator')).default(providerIds('generator')[0]),
    payment: z.enum(providerIds('payment')).default(providerIds('payment')[0]),
    share: z.enum(providerIds('share')).default(providerIds('share')[0]),
    printer: z.enum(providerIds('printer')).default(providerIds('printer')[0]),
    motion: z.enum(providerIds('motion')).default(providerIds('motion')[0]),
  })
  .default(defaultProviders());

/** One raw section per provider section of the registry (each adapter validates its own), plus `checks`. */
const sectionShape = Object.fromEntries(providerSections().map((n) => [n, Section])) as { [K in ProviderSection]: typeof Section };

export const KioskConfig = z.object({
  kioskId: z.string().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/).default('kiosk-01'),
  idleTimeoutSec: z.number().int().min(15).max(3600).default(90),
  /** How long the WeChat QR stays payable (time_expire). */
  paymentTimeoutSec: z.number().int().min(60).max(1800).default(180),
  regenerationsAllowed: z.number().int().min(0).max(5).default(1),
  /** Download links for the phone: results are kept 30 days. */
  resultRetentionDays: z.number().int().min(1).max(30).default(30),
  /** Originals (captures, uploads) are deleted within 24 h of the order ending, sooner if set. */
  originalRetentionHours: z.number().min(0).max(24).default(24),
  blessing: z.string().max(60).default('团团圆圆 · 新春快乐'),
  /** scrypt hash of the admin PIN (see config/pin.ts); default PIN is printed once at first run. */
  adminPinHash: z.string().optional(),
  dailyRefundCapFen: z.number().int().min(0).default(50_000),
  phone: z
    .object({
      /** 127.0.0.1 keeps the phone pages on this machine; 0.0.0.0 opens them to the mall LAN (opt-in). */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8787),
      /** What the QR codes point at, e.g. http://192.168.1.20:8787; derived from host/port when empty. */
      publicBaseUrl: z.string().default(''),
      uploadMaxBytes: z.number().int().default(10 * 1024 * 1024),
    })
    .default({ host: '127.0.0.1', port: 8787, publicBaseUrl: '', uploadMaxBytes: 10 * 1024 * 1024 }),
  providers: Providers,
  ...sectionShape,
  checks: Section,
  /** Fleet: heartbeats, alerts, remote settings, backups, updates (services/fleet/config.ts). */
  fleet: Section,
});
export type KioskConfig = z.infer<typeof KioskConfig>;

/** Environment variables that override config.json (documented in README). */
function envOverrides(cfg: KioskConfig, env: NodeJS.ProcessEnv): KioskConfig {
  const out = structuredClone(cfg);
  for (const kind of PROVIDER_KINDS) {
    const v = env[KIND_ENV[kind]];
    if (isProviderId(kind, v)) (out.providers as Record<string, string>)[kind] = v;
  }
  if (env.KIOSK_PHONE_HOST) out.phone.host = env.KIOSK_PHONE_HOST;
  if (env.KIOSK_PHONE_PORT) out.phone.port = Number(env.KIOSK_PHONE_PORT);
  if (env.KIOSK_PUBLIC_URL) out.phone.publicBaseUrl = env.KIOSK_PUBLIC_URL;
  if (env.KIOSK_ID) out.kioskId = env.KIOSK_ID;
  if (env.KIOSK_IDLE_TIMEOUT_SEC) out.idleTimeoutSec = Number(env.KIOSK_IDLE_TIMEOUT_SEC);
  if (env.KIOSK_PAYMENT_TIMEOUT_SEC) out.paymentTimeoutSec = Number(env.KIOSK_PAYMENT_TIMEOUT_SEC);
  return KioskConfig.parse(out);
}

export interface LoadedConfig {
  config: KioskConfig;
  path: string;
  firstRun: boolean;
}

/**
 * Reads <dir>/config.json, writing the defaults on first run. A file that does not parse is kept
 * aside (config.json.bad-<time>) and the defaults are used, so a typo never bricks the kiosk.
 */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = join(dir, 'config.json');
  let raw: unknown = {};
  let firstRun = false;
  if (existsSync(path)) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      log.error('config.unreadable', { path, error: e as Error });
      writeFileAtomic(`${path}.bad-${Date.now()}`, readFileSync(path));
      raw = {};
    }
  } else {
    firstRun = true;
  }
  const parsed = KioskConfig.safeParse(raw);
  let config: KioskConfig;
  if (parsed.success) config = parsed.data;
  else {
    log.error('config.invalid', { path, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    config = KioskConfig.parse({});
  }
  if (firstRun) writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n');
  return { config: envOverrides(config, env), path, firstRun };
}

export function saveConfig(path: string, config: KioskConfig): void {
  writeFileAtomic(path, JSON.stringify(KioskConfig.parse(config), null, 2) + '\n');
}

/** The base URL phones use to reach the phone listener. */
export function phoneBaseUrl(config: KioskConfig, boundPort: number): string {
  if (config.phone.publicBaseUrl) return config.phone.publicBaseUrl.replace(/\/$/, '');
  let host = config.phone.host;
  if (host === '0.0.0.0' || host === '::') host = lanAddress() ?? '127.0.0.1';
  return `http://${host}:${boundPort}`;
}

function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
