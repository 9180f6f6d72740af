// The kiosk's settings: <dataDir>/config.json (generated on first run, never rewritten after a bad
// edit: fail closed, see loadConfig), overridden by environment variables. Provider sections are passed raw to each provider's own schema (…ConfigFromEnv), so
// this file does not need to know every provider's fields. Secrets live in the SecretStore, not here.
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { defaultProviders, isProviderId, KIND_ENV, PROVIDER_KINDS, providerDef, providerIds, providersOf, providerSections, type ProviderSection } from '../../providerRegistry';

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
  /** Simulated (demo) payment is refused while the phone listener is reachable from the LAN, unless this is true. */
  allowDemoPayment: z.boolean().default(false),
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

/**
 * Something wrong in the configuration, by field. `stopsSale`: a money setting (or a chosen
 * provider's settings) is in doubt, so the kiosk refuses to sell until it is fixed.
 */
export interface ConfigProblem {
  /** The field, e.g. "paymentTimeoutSec", "providers.payment", "wechatpay.mchid", "env KIOSK_PAYMENT", "(file)". */
  path: string;
  /** English, for the log and the operator (never a secret value). */
  message: string;
  stopsSale: boolean;
}

/** Settings that decide what money is taken or given back: in doubt, the kiosk does not sell. */
const MONEY_FIELDS = new Set(['(file)', 'kioskId', 'paymentTimeoutSec', 'dailyRefundCapFen', 'allowDemoPayment', 'providers', 'providers.payment']);

function paymentSections(): Set<string> {
  return new Set(providersOf('payment').flatMap((p) => (p.section ? [p.section] : [])));
}

export function isMoneyField(path: string): boolean {
  const top = path.split('.')[0] ?? '';
  return MONEY_FIELDS.has(path) || MONEY_FIELDS.has(top) || path.startsWith('providers.payment') || paymentSections().has(top);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function getPath(o: unknown, path: (string | number)[]): unknown {
  let cur: unknown = o;
  for (const k of path) {
    if (!isObj(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[k as string];
  }
  return cur;
}

/** Replaces the value at `path` with `value` (undefined: removes it, so the default applies). */
function setPath(o: Obj, path: (string | number)[], value: unknown): void {
  let cur: Obj = o;
  for (const k of path.slice(0, -1)) {
    const next = cur[k as string];
    if (!isObj(next) && !Array.isArray(next)) return;
    cur = next as Obj;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = structuredClone(value);
}

/**
 * Validates the file's values field by field: a bad field takes the last good file's value (or, if
 * that has none, the default) and is reported; every valid field is kept as the operator wrote it.
 */
function salvage(raw: Obj, lastGood: Obj | null): { config: KioskConfig; problems: ConfigProblem[] } {
  const work = structuredClone(raw);
  const problems: ConfigProblem[] = [];
  const tried = new Map<string, number>();
  for (let round = 0; round < 40; round++) {
    const parsed = KioskConfig.safeParse(work);
    if (parsed.success) return { config: parsed.data, problems };
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      const name = path.join('.') || '(file)';
      if (!problems.some((p) => p.path === name)) problems.push({ path: name, message: issue.message, stopsSale: isMoneyField(name) });
      if (path.length === 0) return { config: lastGood ? KioskConfig.parse(lastGood) : KioskConfig.parse({}), problems };
      const n = tried.get(name) ?? 0;
      tried.set(name, n + 1);
      // First the last good value; if that does not fit either (or there is none), the default.
      setPath(work, path, n === 0 && lastGood ? getPath(lastGood, path) : undefined);
    }
  }
  return { config: lastGood ? KioskConfig.parse(lastGood) : KioskConfig.parse({}), problems };
}

/** Environment variables that override config.json (README); a bad one is reported and ignored. */
function envOverrides(cfg: KioskConfig, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): KioskConfig {
  let out = structuredClone(cfg);
  const apply = (name: string, field: string, set: (c: KioskConfig, v: string) => void) => {
    const v = env[name];
    if (v === undefined || v === '') return;
    const next = structuredClone(out);
    set(next, v);
    const parsed = KioskConfig.safeParse(next);
    if (parsed.success) out = parsed.data;
    else problems.push({ path: `env ${name}`, message: `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, stopsSale: isMoneyField(field) });
  };
  for (const kind of PROVIDER_KINDS) {
    const name = KIND_ENV[kind];
    const v = env[name];
    if (v === undefined || v === '') continue;
    if (isProviderId(kind, v)) (out.providers as Record<string, string>)[kind] = v;
    // A typo here must not leave the file's (perhaps simulated) provider selling.
    else problems.push({ path: `env ${name}`, message: `unknown ${kind} provider "${v.slice(0, 32)}" (${providerIds(kind).join(', ')})`, stopsSale: true });
  }
  apply('KIOSK_PHONE_HOST', 'phone.host', (c, v) => (c.phone.host = v));
  apply('KIOSK_PHONE_PORT', 'phone.port', (c, v) => (c.phone.port = Number(v)));
  apply('KIOSK_PUBLIC_URL', 'phone.publicBaseUrl', (c, v) => (c.phone.publicBaseUrl = v));
  apply('KIOSK_ID', 'kioskId', (c, v) => (c.kioskId = v));
  apply('KIOSK_IDLE_TIMEOUT_SEC', 'idleTimeoutSec', (c, v) => (c.idleTimeoutSec = Number(v)));
  apply('KIOSK_PAYMENT_TIMEOUT_SEC', 'paymentTimeoutSec', (c, v) => (c.paymentTimeoutSec = Number(v)));
  return out;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Demo payment where anyone on the mall's LAN can open the "确认支付" page: refused unless opted in. */
function demoPaymentOnLan(config: KioskConfig): ConfigProblem | null {
  if (!providerDef('payment', config.providers.payment)?.demo || isLoopbackHost(config.phone.host) || config.allowDemoPayment) return null;
  return {
    path: 'providers.payment',
    message: `demo payment "${config.providers.payment}" with the phone listener on ${config.phone.host} (reachable from the LAN): anyone could confirm a payment; choose a real payment provider, or set allowDemoPayment: true`,
    stopsSale: true,
  };
}

export interface LoadedConfig {
  config: KioskConfig;
  path: string;
  firstRun: boolean;
  /** ok: config.json valid; invalid: some fields kept from the last good file or defaults; unreadable: not JSON. */
  fileState: 'ok' | 'invalid' | 'unreadable';
  problems: ConfigProblem[];
}

export function lastGoodPath(configPath: string): string {
  return `${configPath}.last-good`;
}

function readLastGood(path: string): Obj | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return isObj(v) && KioskConfig.safeParse(v).success ? v : null;
  } catch {
    return null;
  }
}

/** Keeps a copy of a config.json that was valid: what a bad edit falls back to, field by field. */
export function keepLastGood(configPath: string): void {
  const text = readFileSync(configPath, 'utf8');
  const lg = lastGoodPath(configPath);
  if (existsSync(lg) && readFileSync(lg, 'utf8') === text) return;
  writeFileAtomic(lg, text);
}

/**
 * Reads <dir>/config.json, writing the defaults on first run (only then). FAIL CLOSED: a file that
 * does not parse, or has invalid fields, is never rewritten; each bad field keeps its last good
 * value (config.json.last-good) or the default and is reported (log line naming it, admin health,
 * and — for money settings and chosen providers — a stopped sale). Never a silent swap to defaults.
 */
export function loadConfig(dir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = join(dir, 'config.json');
  const problems: ConfigProblem[] = [];
  let firstRun = false;
  let fileState: LoadedConfig['fileState'] = 'ok';
  let config: KioskConfig;
  if (!existsSync(path)) {
    firstRun = true;
    config = KioskConfig.parse({});
    writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n');
    keepLastGood(path);
  } else {
    const text = readFileSync(path, 'utf8');
    const lastGood = readLastGood(lastGoodPath(path));
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      raw = undefined;
      problems.push({ path: '(file)', message: `config.json is not valid JSON (${(e as Error).message})`, stopsSale: true });
    }
    if (!isObj(raw)) {
      if (raw !== undefined) problems.push({ path: '(file)', message: 'config.json must hold one JSON object', stopsSale: true });
      fileState = 'unreadable';
      config = lastGood ? KioskConfig.parse(lastGood) : KioskConfig.parse({});
      // No last good file: the operator's refund cap is unknown; none rather than the default 500 yuan.
      if (!lastGood) config.dailyRefundCapFen = 0;
      // The PIN the operator has is in there somewhere: never replace it with a new one.
      const hash = /"adminPinHash"\s*:\s*"(scrypt\$[^"\s]{10,300})"/.exec(text)?.[1];
      if (hash) config.adminPinHash = hash;
    } else {
      const r = salvage(raw, lastGood);
      config = r.config;
      problems.push(...r.problems);
      if (r.problems.length > 0) fileState = 'invalid';
      else keepLastGood(path);
    }
    for (const p of problems) {
      log.error('config.invalid_field', {
        path,
        field: p.path,
        problem: p.message,
        using: lastGood ? 'the last good value (config.json.last-good) or the default' : 'the default',
        stopsSale: p.stopsSale,
        note: 'config.json is left as it is; fix the field and restart',
      });
    }
  }
  const out = envOverrides(config, env, problems);
  const lan = demoPaymentOnLan(out);
  if (lan) problems.push(lan);
  for (const p of problems.filter((x) => x.path.startsWith('env ') || x === lan)) log.error('config.invalid_field', { field: p.path, problem: p.message, stopsSale: p.stopsSale });
  return { config: out, path, firstRun, fileState, problems };
}

export function saveConfig(path: string, config: KioskConfig): void {
  writeFileAtomic(path, JSON.stringify(KioskConfig.parse(config), null, 2) + '\n');
  keepLastGood(path);
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
