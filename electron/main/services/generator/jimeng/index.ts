// How the kiosk builds the Jimeng provider: config (file section + secrets + env), prompt library,
// cost guard persisted under the data dir, one shared client. See README "Jimeng" for the settings.
import { join } from 'node:path';
import { logger } from '../../../infra/log';
import { CostGuard, fileCostStore, type CostStore } from '../costGuard';
import { JimengClient } from './client';
import { describeJimengConfig, hasCredentials, jimengConfigFromEnv, type JimengConfig } from './config';
import { JimengGenerator } from './generator';
import { loadPromptLibrary } from './prompts';

export { JimengClient } from './client';
export { JimengConfig, jimengConfigFromEnv } from './config';
export { JimengError } from './errors';
export { JimengGenerator } from './generator';

const log = logger('jimeng');

/** Names under which the SecretStore keeps the Volcengine keys (set from the admin screen). */
export const JIMENG_SECRET_NAMES = { accessKey: 'jimeng.access-key', secretKey: 'jimeng.secret-key' } as const;

/**
 * The Volcengine settings and keys, read in ONE place for both Jimeng images and Jimeng video:
 * config.json's `jimeng` section, the keys from the secret store when the section has none, then
 * the JIMENG_* environment (which wins). Throws a ZodError on invalid values.
 */
export function volcengineConfig(opts: { fileSection: unknown; env?: NodeJS.ProcessEnv; secrets?: { get(name: string): string | null } | null }): JimengConfig {
  const section: Record<string, unknown> =
    opts.fileSection && typeof opts.fileSection === 'object' ? { ...(opts.fileSection as Record<string, unknown>) } : {};
  if (!section.accessKey) section.accessKey = opts.secrets?.get(JIMENG_SECRET_NAMES.accessKey) ?? undefined;
  if (!section.secretKey) section.secretKey = opts.secrets?.get(JIMENG_SECRET_NAMES.secretKey) ?? undefined;
  return jimengConfigFromEnv(section, opts.env ?? process.env);
}

export interface JimengProviderOptions {
  /** config.json's `jimeng` section (raw); ignored when `config` is given. */
  fileSection: unknown;
  /** Already resolved by volcengineConfig (the kiosk reads the keys once for images and video). */
  config?: JimengConfig;
  env?: NodeJS.ProcessEnv;
  /** Keys stored encrypted; used when the file section has none. The environment still wins. */
  secrets?: { get(name: string): string | null };
  assetsDir: string;
  /** Data dir: the cost guard keeps its counters in <dataDir>/ai-cost.json. */
  dataDir?: string;
  /** Or an injected store for the counters (e.g. the SQLite store). */
  costStore?: CostStore;
  /** From the OSS share: upload a JPEG privately, return a short-lived signed URL (enables jimeng_t2i_v40 for 时空拼图). */
  signedUrlFor?: (jpeg: Buffer) => Promise<string>;
  kioskId?: string;
  onTask?: (info: { orderId: string; index: number; reqKey: string; taskId: string }) => void;
}

export interface JimengProvider {
  generator: JimengGenerator;
  config: JimengConfig;
  costGuard: CostGuard;
  /** Parallel requests for runVariants. */
  concurrency: number;
  close(): Promise<void>;
}

export function createJimengProvider(opts: JimengProviderOptions): JimengProvider {
  const config = opts.config ?? volcengineConfig(opts);
  if (!hasCredentials(config)) log.warn('no-credentials', describeJimengConfig(config));
  else log.info('configured', describeJimengConfig(config));
  const store = opts.costStore ?? (opts.dataDir ? fileCostStore(join(opts.dataDir, 'ai-cost.json')) : undefined);
  const costGuard = new CostGuard(config.cost, store);
  const client = new JimengClient({ config });
  const generator = new JimengGenerator({
    config,
    client,
    prompts: loadPromptLibrary(opts.assetsDir),
    signedUrlFor: opts.signedUrlFor,
    costGuard,
    kioskId: opts.kioskId,
    onTask: opts.onTask,
  });
  return { generator, config, costGuard, concurrency: config.concurrency, close: () => client.close() };
}
