// The fleet side of one kiosk, built by the composition root (app.ts): provider outcomes,
// heartbeats and daily summaries to OSS (reporter.ts, outbox.ts), alerts to the chat robots
// (alerts/), remote settings (remoteSettings.ts) and the nightly backup (backup.ts). Every timer
// here is unref'd and every failure is logged, never thrown into the order flow.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthReport } from '../../../shared/contract';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { KioskConfig } from '../config';
import type { Db } from '../store/db';
import type { OssConfig } from '../share/oss/config';
import { resolveOssConfig } from '../share/oss/descriptor';
import type { SecretStore } from '../config/secrets';
import { Alerter } from './alerts/alerter';
import { currentConditions } from './alerts/conditions';
import { robotEnabled } from './alerts/robotSettings';
import { fleetConfig, secretReader, type FleetConfig, type SecretReader } from './config';
import { createFleetOss, type FleetOss } from './objects';
import { Outcomes } from './outcomes';
import { createFleetOutbox, type FleetOutbox } from './outbox';
import { FleetReporter } from './reporter';
import { RemoteSettings, remoteSettingsStateFile } from './remoteSettings';
import { runBackup } from './backup';
import { localDay } from './counters';
import type { SettingsDeps } from '../admin/settings';
import { existsSync as exists, readFileSync } from 'node:fs';

export { Outcomes, observe } from './outcomes';
export { FLEET_SECRET_NAMES } from './config';
export { createRobotHandlers } from './alerts/robotSettings';

const log = logger('fleet');

export interface FleetModuleOptions {
  config: KioskConfig;
  dataDir: string;
  db: Db;
  version: string;
  host: 'electron' | 'browser';
  health: () => Promise<HealthReport>;
  outcomes: Outcomes;
  secrets: SecretStore | null;
  env?: NodeJS.ProcessEnv;
  aiToday: () => { day: string; images: number; spentFen: number } | null;
  paperPrinted: () => number;
  uploadsPending: () => number;
  /** Paid orders needing a person, by attention code. */
  attention: () => Record<string, number>;
  /** The admin form's settings plumbing: remote settings are validated and applied through it. */
  settings?: SettingsDeps;
  /** No family in the middle of an order (remote settings wait for this). */
  idle?: () => boolean;
  now?: () => number;
}

export interface FleetModule {
  readonly config: FleetConfig;
  readonly outcomes: Outcomes;
  readonly reporter: FleetReporter;
  readonly alerter: Alerter;
  readonly oss: FleetOss | null;
  readonly ossConfig: OssConfig | null;
  readonly outbox: FleetOutbox | null;
  readonly secrets: SecretReader;
  /** True when the previous run did not stop cleanly. */
  readonly crashRestart: boolean;
  readonly remoteSettings: RemoteSettings | null;
  /** No family in the middle of an order (updates and remote settings wait for it). */
  idle(): boolean;
  /** Checks the group's settings document now (applies it when newer, valid and idle). */
  checkSettings(): Promise<string>;
  /** Runs the nightly backup now if it is due (or always with force). */
  backupIfDue(force?: boolean): Promise<string | null>;
  /** One heartbeat now (tests, the admin screen). */
  beat(): Promise<void>;
  /** Evaluates the alert conditions now. */
  checkAlerts(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createFleetModule(o: FleetModuleOptions): FleetModule {
  const env = o.env ?? process.env;
  const now = o.now ?? Date.now;
  const { config, issues } = fleetConfig(o.config.fleet);
  if (issues.length) log.error('config.invalid', { issues });
  const secrets = secretReader(o.secrets, env);
  let ossConfig: OssConfig | null = null;
  try {
    ossConfig = config.enabled ? resolveOssConfig(o.config.oss, env, o.secrets) : null;
  } catch (e) {
    log.error('oss.config_invalid', { error: e as Error });
  }
  const oss = ossConfig ? createFleetOss(ossConfig) : null;
  const outbox = oss ? createFleetOutbox({ dir: o.dataDir, oss, now }) : null;
  if (!oss) log.info('heartbeats.off', { reason: config.enabled ? 'no OSS bucket configured' : 'fleet.enabled is false' });

  // A marker that exists only while the kiosk runs: found at start, the last run crashed.
  const marker = join(o.dataDir, 'fleet-running');
  const crashRestart = existsSync(marker);
  writeFileAtomic(marker, String(now()));
  if (crashRestart) log.warn('crash_restart', {});

  const bootAt = now();
  const reporter = new FleetReporter({
    kioskId: o.config.kioskId,
    group: config.group,
    version: o.version,
    host: o.host,
    prefix: config.prefix,
    db: o.db,
    health: o.health,
    outcomes: o.outcomes,
    aiToday: o.aiToday,
    paperPrinted: o.paperPrinted,
    uploadsPending: () => o.uploadsPending() + (outbox?.queue.stats().pending ?? 0),
    outbox,
    kioskKey: () => secrets('fleet.kiosk-key'),
    stateFile: join(o.dataDir, 'fleet-state.json'),
    bootAt,
    crashRestart,
    settingsVersion: () => remoteSettings?.version() ?? null,
    lastBackupAt: () => backupState().lastAt,
    now,
  });
  const remoteSettings = oss && o.settings ? new RemoteSettings({ oss, prefix: config.prefix, group: config.group, publicKeyPem: config.settingsPublicKey, settings: o.settings, idle: o.idle ?? (() => true), stateFile: remoteSettingsStateFile(o.dataDir) }) : null;
  const checkSettings = async (): Promise<string> => {
    if (!remoteSettings) return 'off';
    const r = await remoteSettings.check();
    // A family is at the kiosk: try again shortly, not at the next poll.
    if (r === 'deferred') setTimeout(() => void checkSettings().catch((e: unknown) => log.error('settings.failed', { error: e as Error })), 30_000).unref();
    return r;
  };

  // Nightly backup: after `backup.hour` local time, once a day; an hour later again if it failed.
  const backupFile = join(o.dataDir, 'fleet-backup.json');
  const backupState = (): { lastAt: string | null; lastDay: string | null } => {
    try {
      if (exists(backupFile)) return JSON.parse(readFileSync(backupFile, 'utf8')) as { lastAt: string | null; lastDay: string | null };
    } catch {
      // unreadable: treat as never backed up
    }
    return { lastAt: null, lastDay: null };
  };
  const backupIfDue = async (force = false): Promise<string | null> => {
    const keyHex = secrets('fleet.backup-key');
    if (!oss || !config.backup.enabled) return null;
    if (!keyHex) {
      log.warn('backup.no_key', { reason: 'fleet.backup-key is not in the secret store' });
      return null;
    }
    const t = now();
    const today = localDay(t);
    if (!force && (new Date(t).getHours() < config.backup.hour || backupState().lastDay === today)) return null;
    const r = await runBackup({ db: o.db, kioskId: o.config.kioskId, keyHex, oss, prefix: config.prefix, keep: config.backup.keep, tmpDir: join(o.dataDir, 'work'), now });
    writeFileAtomic(backupFile, JSON.stringify({ lastAt: new Date(t).toISOString(), lastDay: today }));
    log.info('backup.done', { key: r.key, bytes: r.bytes, deleted: r.deleted.length });
    return r.key;
  };
  const alerter = new Alerter({ dir: o.dataDir, kioskId: o.config.kioskId, group: () => config.group, secrets, enabled: robotEnabled(o.db), now });
  let crashToAlert = crashRestart;
  const timers: NodeJS.Timeout[] = [];

  const checkAlerts = async () => {
    const health = await o.health();
    const conditions = currentConditions({
      health,
      outcomes: o.outcomes,
      windowMs: config.alerts.windowMin * 60_000,
      successRateBelow: config.alerts.successRateBelow,
      minCalls: config.alerts.minCalls,
      paperLowAt: config.alerts.paperLowAt ?? null,
      attention: o.attention(),
      crashRestart: crashToAlert,
    });
    crashToAlert = false;
    alerter.update(conditions);
  };
  const beat = async () => {
    await reporter.beat();
  };

  return {
    config,
    outcomes: o.outcomes,
    reporter,
    alerter,
    oss,
    ossConfig,
    outbox,
    secrets,
    crashRestart,
    remoteSettings,
    idle: () => (o.idle ?? (() => true))(),
    checkSettings,
    backupIfDue,
    beat,
    checkAlerts,
    start() {
      outbox?.start();
      alerter.start();
      const every = (ms: number, fn: () => Promise<void>, what: string, first = ms) => {
        const run = () => void fn().catch((e: unknown) => log.error(`${what}.failed`, { error: e as Error }));
        const t0 = setTimeout(() => {
          run();
          const t = setInterval(run, ms);
          t.unref();
          timers.push(t);
        }, first);
        t0.unref();
        timers.push(t0);
      };
      every(config.heartbeatSec * 1000, beat, 'heartbeat', 15_000);
      every(60_000, checkAlerts, 'alerts', 20_000);
      every(config.settingsCheckSec * 1000, async () => void (await checkSettings()), 'settings', 30_000);
      every(3_600_000, async () => void (await backupIfDue()), 'backup', 60_000);
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([outbox?.stop(), alerter.stop()]);
      o.outcomes.flush();
      rmSync(marker, { force: true });
    },
  };
}
