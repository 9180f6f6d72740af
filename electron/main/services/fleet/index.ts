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
import { fleetConfig, secretReader, type FleetConfig, type SecretReader } from './config';
import { createFleetOss, type FleetOss } from './objects';
import { Outcomes } from './outcomes';
import { createFleetOutbox, type FleetOutbox } from './outbox';
import { FleetReporter } from './reporter';

export { Outcomes, observe } from './outcomes';
export { FLEET_SECRET_NAMES } from './config';

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
    settingsVersion: () => null,
    lastBackupAt: () => null,
    now,
  });
  const alerter = new Alerter({ dir: o.dataDir, kioskId: o.config.kioskId, group: () => config.group, secrets, now });
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
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled([outbox?.stop(), alerter.stop()]);
      rmSync(marker, { force: true });
    },
  };
}
