// The operator's settings form: read what the kiosk runs with, validate a draft field by field
// (issues go back as data, one per field, so the form can mark them), and apply it live where the
// kiosk reads the value on each use (prices, idle timeout, retention, thresholds, blessing). The
// provider choice is saved for the next start: swapping a payment provider mid-order is not safe.
import { z } from 'zod';
import { AdminSettings, type AdminSettingsDraft, type AdminSettingsView, type SettingsIssue } from '../../../shared/contract';
import type { KioskConfig } from '../config';
import type { SecretStore } from '../config/secrets';
import type { OrdersRepo } from '../orders/repo';
import type { Db } from '../store/db';
import type { CatalogState } from './catalogOverrides';
import { patchConfigFile } from './configFile';
import { readSetting, writeSetting } from './settingsStore';
import { isProviderId, PROVIDER_KINDS, providersOf, secretNames } from '../../providerRegistry';
import { FLEET_SECRET_NAMES } from '../fleet/config';

/** Every secret the adapters read from the SecretStore (write-only from the admin screen): from the provider registry. */
// Providers' keys, then the fleet's (signing/backup keys, alert robots' webhooks and secrets).
export const SECRET_NAMES: readonly string[] = [...secretNames(), ...FLEET_SECRET_NAMES];

const DISK_KEY = 'health.disk_min_free_mb';
export const DEFAULT_DISK_MIN_FREE_MB = 1024;

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Face-check thresholds the operator may tune (config.checks), used for every photo check. */
export function checkThresholds(config: KioskConfig): { minFacePx: number; minScore: number } {
  return { minFacePx: num(config.checks.minFacePx, 80), minScore: num(config.checks.minScore, 0.7) };
}

/** The paper warning level and pack size (config.print.paper, the print engineer's PrintConfig fields). */
export function paperSettings(config: KioskConfig): { capacity: number; warnBelow: number } {
  const paper = obj(config.print.paper);
  return { capacity: num(paper.capacity, 700), warnBelow: num(paper.warnBelow, 30) };
}

export function diskMinFreeMb(db: Db): number {
  return readSetting(db, DISK_KEY, z.number().int().min(1), DEFAULT_DISK_MIN_FREE_MB);
}

export interface SettingsDeps {
  db: Db;
  repo: OrdersRepo;
  config: KioskConfig;
  dataRoot: string;
  catalog: CatalogState;
  secrets: SecretStore | null;
  /** The providers this run was started with. */
  activeProviders: KioskConfig['providers'];
  /** The providers saved in config.json (may differ until the next start). */
  savedProviders: () => KioskConfig['providers'];
}

export function currentSettings(d: SettingsDeps): AdminSettings {
  const cat = d.catalog.current();
  const c = d.config;
  const t = checkThresholds(c);
  return {
    packages: cat.packages.map((p) => ({ id: p.id, priceFen: p.priceFen, enabled: p.enabled })),
    styles: cat.styles.map((s) => ({ id: s.id, enabled: s.enabled })),
    idleTimeoutSec: c.idleTimeoutSec,
    paymentTimeoutSec: c.paymentTimeoutSec,
    regenerationsAllowed: c.regenerationsAllowed,
    resultRetentionDays: c.resultRetentionDays,
    originalRetentionHours: c.originalRetentionHours,
    dailyRefundCapFen: c.dailyRefundCapFen,
    blessing: c.blessing,
    thresholds: { minFacePx: t.minFacePx, minFaceScore: t.minScore, paperWarnBelow: paperSettings(c).warnBelow, diskMinFreeMb: diskMinFreeMb(d.db) },
    providers: d.savedProviders(),
  };
}

export function settingsView(d: SettingsDeps): AdminSettingsView {
  const cat = d.catalog.current();
  const saved = d.savedProviders();
  return {
    settings: currentSettings(d),
    packageNames: Object.fromEntries(cat.packages.map((p) => [p.id, p.name])),
    styleNames: Object.fromEntries(cat.styles.map((s) => [s.id, s.name])),
    secrets: SECRET_NAMES.map((name) => ({ name, set: d.secrets?.has(name) ?? false })),
    secretProtection: d.secrets?.protection ?? 'file-permissions',
    activeProviders: d.activeProviders,
    restartRequired: (Object.keys(saved) as (keyof typeof saved)[]).some((k) => saved[k] !== d.activeProviders[k]),
    providerOptions: Object.fromEntries(PROVIDER_KINDS.map((k) => [k, providersOf(k).map((p) => ({ id: p.id, label: p.label, demo: p.demo }))])) as AdminSettingsView['providerOptions'],
  };
}

/** One issue per bad field, in the shape the form shows (range with min/max, integer, unknown id …). */
export function validateSettings(draft: AdminSettingsDraft, catalog: CatalogState): { settings: AdminSettings | null; issues: SettingsIssue[] } {
  const issues: SettingsIssue[] = [];
  const parsed = AdminSettings.safeParse(draft);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const path = i.path.map(String).join('.');
      if (issues.some((x) => x.path === path)) continue;
      const raw = i as unknown as { code: string; minimum?: number | bigint; maximum?: number | bigint; format?: string; expected?: string };
      if (raw.code === 'too_small' || raw.code === 'too_big') {
        const range = rangeOf(path);
        issues.push({ path, rule: 'range', ...range });
      } else if (raw.code === 'invalid_type' && raw.expected === 'int') issues.push({ path, rule: 'integer', ...rangeOf(path) });
      else issues.push({ path, rule: 'required' });
    }
  }
  const base = catalog.base;
  draft.packages.forEach((p, i) => {
    if (!base.packages.some((b) => b.id === p.id)) issues.push({ path: `packages.${i}.id`, rule: 'unknown' });
  });
  draft.styles.forEach((s, i) => {
    if (!base.styles.some((b) => b.id === s.id)) issues.push({ path: `styles.${i}.id`, rule: 'unknown' });
  });
  for (const k of PROVIDER_KINDS) if (!isProviderId(k, draft.providers[k])) issues.push({ path: `providers.${k}`, rule: 'unknown' });
  // A kiosk with nothing to sell or no style to pick strands the next family half-way.
  if (draft.packages.length > 0 && !draft.packages.some((p) => p.enabled)) issues.push({ path: 'packages', rule: 'required' });
  if (draft.styles.length > 0 && !draft.styles.some((s) => s.enabled)) issues.push({ path: 'styles', rule: 'required' });
  return { settings: issues.length === 0 && parsed.success ? parsed.data : null, issues };
}

/** The bounds of a numeric field, read from the schema so the form and main never disagree. */
function rangeOf(path: string): { min?: number; max?: number } {
  const parts = path.split('.');
  let s: z.ZodType = AdminSettings;
  for (const p of parts) {
    const def = (s as unknown as { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType } }).def;
    if (def.type === 'object' && def.shape?.[p]) s = def.shape[p];
    else if (def.type === 'array' && def.element && /^\d+$/.test(p)) s = def.element;
    else return {};
  }
  const n = s as unknown as { minValue?: number | null; maxValue?: number | null };
  const out: { min?: number; max?: number } = {};
  if (typeof n.minValue === 'number' && Number.isFinite(n.minValue)) out.min = n.minValue;
  if (typeof n.maxValue === 'number' && Number.isFinite(n.maxValue)) out.max = n.maxValue;
  return out;
}

/** Writes valid settings: catalogue overrides, config.json, the live configuration. Returns what changed. */
export function applySettings(d: SettingsDeps, s: AdminSettings): string[] {
  const before = currentSettings(d);
  const changed: string[] = [];
  const o = d.catalog.overrides();
  for (const p of s.packages) o.packages[p.id] = { priceFen: p.priceFen, enabled: p.enabled };
  for (const st of s.styles) o.styles[st.id] = { enabled: st.enabled };
  d.catalog.save(o);
  for (const p of s.packages) {
    const b = before.packages.find((x) => x.id === p.id);
    if (b && (b.priceFen !== p.priceFen || b.enabled !== p.enabled)) changed.push(`package:${p.id}`);
  }
  for (const st of s.styles) {
    const b = before.styles.find((x) => x.id === st.id);
    if (b && b.enabled !== st.enabled) changed.push(`style:${st.id}`);
  }

  const apply = (c: KioskConfig) => {
    c.idleTimeoutSec = s.idleTimeoutSec;
    c.paymentTimeoutSec = s.paymentTimeoutSec;
    c.regenerationsAllowed = s.regenerationsAllowed;
    c.resultRetentionDays = s.resultRetentionDays;
    c.originalRetentionHours = s.originalRetentionHours;
    c.dailyRefundCapFen = s.dailyRefundCapFen;
    c.blessing = s.blessing;
    c.checks = { ...c.checks, minFacePx: s.thresholds.minFacePx, minScore: s.thresholds.minFaceScore };
    c.print = { ...c.print, paper: { ...obj(c.print.paper), warnBelow: s.thresholds.paperWarnBelow } };
  };
  patchConfigFile(d.dataRoot, (c) => {
    apply(c);
    c.providers = { ...s.providers } as KioskConfig['providers']; // ids checked against the registry in validateSettings
  });
  // The running kiosk reads these on each use; the provider choice waits for the next start.
  apply(d.config);
  writeSetting(d.db, DISK_KEY, s.thresholds.diskMinFreeMb);

  const scalar: (keyof AdminSettings)[] = [
    'idleTimeoutSec',
    'paymentTimeoutSec',
    'regenerationsAllowed',
    'resultRetentionDays',
    'originalRetentionHours',
    'dailyRefundCapFen',
    'blessing',
  ];
  for (const k of scalar) if (before[k] !== s[k]) changed.push(k);
  if (JSON.stringify(before.thresholds) !== JSON.stringify(s.thresholds)) changed.push('thresholds');
  if (JSON.stringify(before.providers) !== JSON.stringify(s.providers)) changed.push('providers');
  return changed;
}
