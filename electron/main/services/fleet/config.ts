// The `fleet` section of config.json (additive; absent = defaults). Secrets (the kiosk's signing
// key, the backup key, the robots' webhooks and secrets) are never here: they live in the
// SecretStore under FLEET_SECRET_NAMES, with environment overrides for development and tests.
import { z } from 'zod';

export const FleetConfig = z.object({
  /** Heartbeats, summaries, settings and backups on OSS (needs the `oss` section); alerts work without OSS. */
  enabled: z.boolean().default(true),
  /** Kiosk group: remote settings and staged updates are published per group. */
  group: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('default'),
  heartbeatSec: z.number().int().min(30).max(3600).default(300),
  prefix: z.string().regex(/^[A-Za-z0-9._-]+\/$/).default('fleet/'),
  /** Ed25519 public key (PEM) of the operator; remote settings signed by anything else are refused. */
  settingsPublicKey: z.string().optional(),
  settingsCheckSec: z.number().int().min(60).max(86_400).default(600),
  alerts: z
    .object({
      /** Below this success rate over `windowMin` a provider alert fires… */
      successRateBelow: z.number().min(0.5).max(1).default(0.99),
      windowMin: z.number().int().min(1).max(120).default(15),
      /** …once it has seen at least this many calls (one failed call of one is not a rate). */
      minCalls: z.number().int().min(1).max(1000).default(3),
      /** Paper-low alert at this many sheets or fewer (the kiosk's own warning level when unset). */
      paperLowAt: z.number().int().min(0).optional(),
    })
    .default({ successRateBelow: 0.99, windowMin: 15, minCalls: 3 }),
  backup: z
    .object({
      enabled: z.boolean().default(true),
      /** Local hour of the nightly backup (the mall is closed). */
      hour: z.number().int().min(0).max(23).default(3),
      /** Backups kept on OSS per kiosk (older ones are deleted after a successful upload). */
      keep: z.number().int().min(1).max(365).default(14),
    })
    .default({ enabled: true, hour: 3, keep: 14 }),
  updates: z
    .object({
      /** electron-updater generic feed base, e.g. https://updates.example.com/kiosk/ (OSS bucket/CDN). */
      feedUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** Channel per group: `<channel>.yml` / `<channel>-linux.yml` on the feed. Default: the group's name. */
      channel: z.string().regex(/^[a-z0-9-]{1,32}$/).optional(),
      checkHours: z.number().min(1).max(168).default(6),
    })
    .default({ checkHours: 6 }),
});
export type FleetConfig = z.infer<typeof FleetConfig>;

/** Secrets the fleet reads (write-only on the admin screen). */
export const FLEET_SECRET_NAMES = [
  'fleet.kiosk-key',
  'fleet.backup-key',
  'alerts.wecom-webhook',
  'alerts.dingtalk-webhook',
  'alerts.dingtalk-secret',
  'alerts.webhook-url',
  'alerts.webhook-secret',
] as const;
export type FleetSecretName = (typeof FLEET_SECRET_NAMES)[number];

/** Environment names for the same secrets (development, tests, the CLI). */
export const FLEET_SECRET_ENV: Record<FleetSecretName, string> = {
  'fleet.kiosk-key': 'FLEET_KIOSK_KEY',
  'fleet.backup-key': 'FLEET_BACKUP_KEY',
  'alerts.wecom-webhook': 'ALERT_WECOM_WEBHOOK',
  'alerts.dingtalk-webhook': 'ALERT_DINGTALK_WEBHOOK',
  'alerts.dingtalk-secret': 'ALERT_DINGTALK_SECRET',
  'alerts.webhook-url': 'ALERT_WEBHOOK_URL',
  'alerts.webhook-secret': 'ALERT_WEBHOOK_SECRET',
};

export type SecretReader = (name: FleetSecretName) => string | null;

/** The secret store first, then the environment. */
export function secretReader(store: { get(name: string): string | null } | null, env: NodeJS.ProcessEnv = process.env): SecretReader {
  return (name) => {
    let v: string | null = null;
    try {
      v = store?.get(name) ?? null;
    } catch {
      v = null;
    }
    return v || env[FLEET_SECRET_ENV[name]] || null;
  };
}

/** Parses config.fleet; an invalid section names the fields and falls back to defaults with fleet off (fail closed). */
export function fleetConfig(section: unknown): { config: FleetConfig; issues: string[] } {
  const r = FleetConfig.safeParse(section ?? {});
  if (r.success) return { config: r.data, issues: [] };
  return { config: { ...FleetConfig.parse({}), enabled: false }, issues: r.error.issues.map((i) => `fleet.${i.path.join('.')}: ${i.message}`) };
}
