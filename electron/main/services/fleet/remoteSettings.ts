// Remote settings: the operator publishes prices, packages and styles for a group of kiosks as one
// Ed25519-signed document on OSS (fleet/settings/<group>.json, `npm run fleet -- publish`). Each
// kiosk polls it, and applies a newer one only between families (no order in progress), after
// validating the result with the same schema and rules as the admin screen's form
// (admin/settings.ts validateSettings). The settings before are kept; if applying throws, they are
// put back. Every outcome is in the audit log (actor 'fleet').
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AdminSettings } from '../../../shared/contract';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { applySettings, currentSettings, validateSettings, type SettingsDeps } from '../admin/settings';
import { settingsKey } from './docs';
import type { FleetOss } from './objects';
import { keyIdOf, signOperatorDoc, verifyOperatorDoc } from './sign';

const log = logger('fleet.settings');

/** What a group may set remotely: a subset of the admin form (the same field rules). */
export const RemoteSettingsPatch = AdminSettings.pick({
  packages: true,
  styles: true,
  blessing: true,
  idleTimeoutSec: true,
  paymentTimeoutSec: true,
  regenerationsAllowed: true,
})
  .partial()
  .strict();
export type RemoteSettingsPatch = z.infer<typeof RemoteSettingsPatch>;

export const RemoteSettingsDoc = z.object({
  v: z.literal(1),
  kind: z.literal('settings'),
  group: z.string(),
  /** Publication time; also the version: a kiosk applies only a newer one. */
  version: z.iso.datetime(),
  settings: RemoteSettingsPatch,
});
export type RemoteSettingsDoc = z.infer<typeof RemoteSettingsDoc>;

export async function publishSettings(oss: FleetOss, o: { group: string; settings: unknown; privateKeyPem: string; prefix?: string; now?: number }): Promise<{ key: string; version: string }> {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(o.group)) throw new Error('group: letters, digits, - and _ (1..32)');
  const patch = RemoteSettingsPatch.safeParse(o.settings);
  if (!patch.success) throw new Error(`settings invalid: ${patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const doc: RemoteSettingsDoc = { v: 1, kind: 'settings', group: o.group, version: new Date(o.now ?? Date.now()).toISOString(), settings: patch.data };
  const key = settingsKey(o.prefix ?? 'fleet/', o.group);
  await oss.putBuffer(key, Buffer.from(JSON.stringify(signOperatorDoc(doc, o.privateKeyPem))), 'application/json');
  return { key, version: doc.version };
}

/** The draft the admin form would send: the current settings with the patch's fields (packages/styles by id). */
export function mergePatch(current: AdminSettings, patch: RemoteSettingsPatch): AdminSettings {
  const out: AdminSettings = structuredClone(current);
  if (patch.packages) for (const p of patch.packages) {
    const i = out.packages.findIndex((x) => x.id === p.id);
    if (i >= 0) out.packages[i] = p;
    else out.packages.push(p); // unknown ids are refused by validateSettings
  }
  if (patch.styles) for (const s of patch.styles) {
    const i = out.styles.findIndex((x) => x.id === s.id);
    if (i >= 0) out.styles[i] = s;
    else out.styles.push(s);
  }
  for (const k of ['blessing', 'idleTimeoutSec', 'paymentTimeoutSec', 'regenerationsAllowed'] as const) if (patch[k] !== undefined) (out as Record<string, unknown>)[k] = patch[k];
  return out;
}

interface AppliedState {
  version: string | null;
  appliedAt: string | null;
  previous: AdminSettings | null;
  lastRefused: { version: string; reason: string } | null;
}

export type SettingsOutcome = 'none' | 'same' | 'applied' | 'deferred' | 'refused' | 'rolled_back';

export interface RemoteSettingsDeps {
  oss: FleetOss;
  prefix: string;
  group: string;
  publicKeyPem: string | undefined;
  settings: SettingsDeps;
  /** True when no family is in the middle of an order (the kiosk is on its attract screen). */
  idle: () => boolean;
  stateFile: string;
  /** Test seam: applySettings (rollback tests make it throw). */
  apply?: (d: SettingsDeps, s: AdminSettings) => string[];
}

export class RemoteSettings {
  private state: AppliedState;
  constructor(private readonly d: RemoteSettingsDeps) {
    this.state = { version: null, appliedAt: null, previous: null, lastRefused: null };
    try {
      if (existsSync(d.stateFile)) this.state = { ...this.state, ...(JSON.parse(readFileSync(d.stateFile, 'utf8')) as Partial<AppliedState>) };
    } catch (e) {
      log.error('state.unreadable', { error: e as Error });
    }
  }

  version(): string | null {
    return this.state.version;
  }

  previous(): AdminSettings | null {
    return this.state.previous;
  }

  private save(): void {
    writeFileAtomic(this.d.stateFile, JSON.stringify(this.state));
  }

  private refuse(version: string, reason: string): SettingsOutcome {
    if (this.state.lastRefused?.version !== version) {
      this.d.settings.repo.audit('fleet', 'remote_settings_refused', null, { version, group: this.d.group, reason: reason.slice(0, 300) });
      log.error('refused', { version, reason });
      this.state.lastRefused = { version, reason };
      this.save();
    }
    return 'refused';
  }

  /** Fetches the group's document and applies it if it is newer, valid and the kiosk is idle. */
  async check(): Promise<SettingsOutcome> {
    const body = await this.d.oss.get(settingsKey(this.d.prefix, this.d.group));
    if (!body) return 'none';
    let env: unknown;
    try {
      env = JSON.parse(body.toString('utf8'));
    } catch {
      return this.refuse('unknown', 'not JSON');
    }
    const version = String((env as { payload?: { version?: unknown } })?.payload?.version ?? 'unknown');
    if (version === this.state.version) return 'same';
    if (this.state.lastRefused?.version === version) return 'refused';
    // Fail closed: without the operator's public key nothing remote is applied.
    if (!this.d.publicKeyPem) return this.refuse(version, 'fleet.settingsPublicKey is not configured');
    const v = verifyOperatorDoc(env, this.d.publicKeyPem);
    if (!v.ok) return this.refuse(version, `${v.reason} (expected key ${keyIdOf(this.d.publicKeyPem)})`);
    const doc = RemoteSettingsDoc.safeParse(v.payload);
    if (!doc.success) return this.refuse(version, `shape: ${doc.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (doc.data.group !== this.d.group) return this.refuse(version, `published for group ${doc.data.group}, this kiosk is in ${this.d.group}`);
    // Replay of an older document (someone restored an old object): never go back in time.
    if (this.state.version && doc.data.version <= this.state.version) return this.refuse(version, `older than the applied ${this.state.version}`);
    const before = currentSettings(this.d.settings);
    const draft = mergePatch(before, doc.data.settings);
    const checked = validateSettings(draft, this.d.settings.catalog);
    if (!checked.settings) return this.refuse(version, `invalid: ${checked.issues.map((i) => `${i.path} ${i.rule}`).join(', ')}`);
    if (!this.d.idle()) return 'deferred';
    const apply = this.d.apply ?? applySettings;
    try {
      const changed = apply(this.d.settings, checked.settings);
      this.state = { version: doc.data.version, appliedAt: new Date().toISOString(), previous: before, lastRefused: null };
      this.save();
      this.d.settings.repo.audit('fleet', 'remote_settings_applied', null, { version: doc.data.version, group: this.d.group, changed });
      log.info('applied', { version: doc.data.version, changed });
      return 'applied';
    } catch (e) {
      // Half-applied is worse than not applied: put the settings from before back.
      try {
        applySettings(this.d.settings, before);
      } catch (e2) {
        log.error('rollback.failed', { error: e2 as Error });
      }
      this.d.settings.repo.audit('fleet', 'remote_settings_rolled_back', null, { version: doc.data.version, group: this.d.group, error: String((e as Error).message).slice(0, 200) });
      log.error('rolled_back', { version: doc.data.version, error: e as Error });
      this.state.lastRefused = { version: doc.data.version, reason: 'apply failed' };
      this.state.version = this.state.version ?? null;
      this.save();
      return 'rolled_back';
    }
  }
}

export const remoteSettingsStateFile = (dataDir: string) => join(dataDir, 'remote-settings.json');
