// What one provider (an adapter of an external service, or its embedded stand-in) declares about
// itself, ONCE, in its own folder: id, kind, whether it is a demo, the config.json section it
// reads, its secrets and environment variables, the endpoint the health screen probes, and the
// factory. The registry (providerRegistry.ts) lists them; config validation, providers.ts, the
// admin settings, health, the secret store and the CLIs all read the registry.
import type { SecretStore } from './services/config/secrets';
import type { DataPaths, ResourcePaths } from './infra/paths';
import type { Db } from './services/store/db';
import type { ChecksService } from './services/checks/types';
import type { Generator } from './services/generator/types';
import type { CostGuard } from './services/generator/costGuard';
import type { JimengConfig } from './services/generator/jimeng/config';
import type { PaymentProvider } from './services/payment/types';
import type { SimulatedPayment } from './services/payment/simulated';
import type { ShareStore } from './services/share/types';
import type { LanShare } from './services/share/lan';
import type { QueuedOssShare } from './services/share/oss/queuedOssShare';
import type { PrintConfig } from './services/print';
import type { Printer } from './services/print/types';
import type { MotionService } from './services/motion';

/** The kinds of provider, each chosen in config.json `providers.<kind>` (README "Configuration"). */
export const PROVIDER_KINDS = ['generator', 'payment', 'share', 'printer', 'motion'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/**
 * The configuration as providers see it (KioskConfig fits it). Not KioskConfig itself: the config
 * schema is built from the registry, so the registry's types must not depend on it.
 */
export interface ProviderConfig {
  kioskId: string;
  providers: { [K in ProviderKind]: string };
  /** Sections (`jimeng`, `wechatpay`, `oss`, `print`, `motion` …), raw: each adapter parses its own. */
  [section: string]: unknown;
}

/** Platform pieces only one host has. */
export interface ProviderPlatform {
  /** Electron's silent print of a print page (Windows printers). */
  printPdf?: (pdfPath: string, options: Record<string, unknown>) => Promise<unknown>;
  /** Electron safeStorage for secrets at rest. */
  cipher?: { encrypt(s: string): Buffer; decrypt(b: Buffer): string };
}

/** What a factory gets: the running configuration and what the kiosk already built. */
export interface BuildContext {
  config: ProviderConfig;
  env: NodeJS.ProcessEnv;
  paths: DataPaths;
  resources: ResourcePaths;
  db: Db;
  secrets: SecretStore;
  checks: ChecksService;
  phoneBaseUrl: () => string;
  onSimulatedPaid: (outTradeNo: string) => void;
  platform?: ProviderPlatform;
  /** Each OSS upload attempt's outcome (fleet monitoring). */
  onUploadAttempt?: (ok: boolean, code: string | null) => void;
  /** The kiosk's own phone-listener share (always there: it also serves the LAN links). */
  lanShare: LanShare;
  /** The OSS share when providers.share is "oss" (built first: Jimeng 4.0 reads originals from it). */
  oss: QueuedOssShare | null;
  /** The print section with env overrides applied (printers share it). */
  printConfig: PrintConfig;
  /** The Volcengine settings and keys, read once for Jimeng images and Jimeng video. */
  volcengine(): JimengConfig;
}

/** What each kind of provider hands back to providers.ts. */
export interface BuiltProvider {
  generator: { generator: Generator; concurrency?: number; aiBudget?: CostGuard; close?: () => Promise<void> };
  payment: { payment: PaymentProvider; simPayment?: SimulatedPayment; close?: () => Promise<void> };
  share: { share: ShareStore; oss?: QueuedOssShare; close?: () => Promise<void> };
  printer: { printer: Printer; close?: () => Promise<void> };
  motion: { motion: MotionService; close?: () => Promise<void> };
}

export interface SecretDecl {
  /** Name in the secret store (set write-only from the admin screen). */
  name: string;
  /** The environment variable that overrides it, if any. */
  env?: string;
}

/** One problem found in a provider's settings: the config path (e.g. "wechatpay.mchid") and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export interface ProviderDef<K extends ProviderKind = ProviderKind, Id extends string = string, S extends string = string> {
  id: Id;
  kind: K;
  /** English name for the log and the health screen. */
  label: string;
  /**
   * An embedded stand-in that needs no account and is not the real service (simulated payment,
   * PDF printer, LAN share, local compositor): while one is active the kiosk shows a 演示模式
   * ribbon and the health screen shows it as DEMO.
   */
  demo: boolean;
  /** The config.json section this provider reads (several may share one, e.g. the printers' `print`). */
  section?: S;
  /** Environment variables the provider reads (README configuration table). */
  env: readonly string[];
  secrets: readonly SecretDecl[];
  /**
   * Checks the settings as the adapter will read them (file section + env + secret store) without
   * building anything; each problem names its config path. Used at start-up to stop the sale
   * instead of swapping in another provider.
   */
  check?(config: ProviderConfig, env: NodeJS.ProcessEnv, secrets: SecretStore | null): ConfigIssue[];
  /** The remote endpoint the health screen probes; undefined: works offline. */
  endpoint?(config: ProviderConfig, env: NodeJS.ProcessEnv): string | undefined;
  create(ctx: BuildContext): BuiltProvider[K] | Promise<BuiltProvider[K]>;
}

/** Identity helper that keeps the literal id and kind (so the registry's ids are a type). */
export function defineProvider<K extends ProviderKind, const Id extends string, const S extends string = never>(def: ProviderDef<K, Id, S>): ProviderDef<K, Id, S> {
  return def;
}

/** Turns a zod error into issues under a config section, e.g. "wechatpay.mchid". */
export function zodIssues(section: string, e: unknown): ConfigIssue[] {
  const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (!Array.isArray(issues)) return [{ path: section, message: (e as Error).message ?? String(e) }];
  return issues.map((i) => ({ path: [section, ...i.path.map(String)].join('.'), message: i.message }));
}
