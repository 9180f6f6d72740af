// The 微动态 service: picks the renderer from the configuration. Local (ffmpeg) is the default and
// the fallback; Jimeng image-to-video is used when chosen and credentials exist.
import { join } from 'node:path';
import { logger } from '../../infra/log';
import { CostGuard, fileCostStore, type CostStore } from '../generator/costGuard';
import { JimengClient } from '../generator/jimeng/client';
import { hasCredentials, type JimengConfig } from '../generator/jimeng/config';
import { volcengineConfig } from '../generator/jimeng';
import { MotionConfig } from './config';
import { createJimengMotionRenderer, type VideoTaskClient } from './jimeng';
import { createLocalMotionRenderer } from './local';
import type { MotionRenderer } from './types';

export { MotionConfig, motionConfigFromEnv } from './config';
export { createLocalMotionRenderer } from './local';
export { createJimengMotionRenderer } from './jimeng';
/** For the health screen: ffmpeg/ffprobe present, with the filters and encoder the renderer needs. */
export { videoToolsHealth } from '../../../../native/video/ffmpeg';
export type { MotionInput, MotionOutput, MotionRenderer } from './types';

const log = logger('motion');

export interface MotionDeps {
  /** resourcePaths().assetsDir: effects are read from <assetsDir>/effects. */
  assetsDir?: string;
  /** The data dir: the motion cost counters live in <dataDir>/motion-cost.json. */
  dataDir?: string;
  /** config.json's `jimeng` section (endpoint, keys, timeouts); credentials also from env / secrets. */
  jimengSection?: unknown;
  /** The Volcengine settings already resolved (volcengineConfig): the kiosk reads the keys once. */
  jimengConfig?: JimengConfig;
  secrets?: { get(name: string): string | null };
  env?: NodeJS.ProcessEnv;
  kioskId?: string;
  /** Injected client (tests); otherwise one is built from jimengSection with the motion time budget. */
  jimengClient?: VideoTaskClient;
  costStore?: CostStore;
  tmpRoot?: string;
}

export interface MotionService extends MotionRenderer {
  /** Releases the HTTP connection pool of the cloud client (if any). */
  close(): Promise<void>;
}

export function createMotionRenderer(config: MotionConfig = MotionConfig.parse({}), deps: MotionDeps = {}): MotionService {
  const local = createLocalMotionRenderer({
    config,
    effectsDir: deps.assetsDir ? join(deps.assetsDir, 'effects') : undefined,
    tmpRoot: deps.tmpRoot,
  });
  if (config.provider !== 'jimeng') return { ...local, name: local.name, render: local.render, close: async () => {} };

  let client = deps.jimengClient;
  let owned: JimengClient | null = null;
  let aigc: { kioskId: string; contentProducer: string; contentPropagator: string } | undefined;
  try {
    const jc = deps.jimengConfig ?? volcengineConfig({ fileSection: deps.jimengSection, env: deps.env, secrets: deps.secrets });
    aigc = { kioskId: deps.kioskId ?? 'kiosk', contentProducer: jc.aigc.contentProducer, contentPropagator: jc.aigc.contentPropagator };
    if (!client) {
      if (!hasCredentials(jc)) {
        log.warn('jimeng-without-credentials', { using: 'local' });
        return { name: local.name, render: local.render, close: async () => {} };
      }
      // Video tasks take minutes: this client's task limit is the motion budget, not the image one.
      owned = new JimengClient({ config: { ...jc, timeouts: { ...jc.timeouts, taskMs: config.jimeng.budgetMs } } });
      client = owned;
    }
  } catch (e) {
    log.error('jimeng-config-invalid', { error: e as Error, using: 'local' });
    return { name: local.name, render: local.render, close: async () => {} };
  }

  const costGuard = new CostGuard(
    { priceFenPerImage: config.jimeng.priceFenPerVideo, dailyBudgetFen: config.jimeng.dailyBudgetFen, maxCallsPerOrder: 4, regenerationsPerOrder: 0 },
    deps.costStore ?? (deps.dataDir ? fileCostStore(join(deps.dataDir, 'motion-cost.json')) : undefined),
  );
  const cloud = createJimengMotionRenderer({ client, config, fallback: local, costGuard, aigc, tmpRoot: deps.tmpRoot });
  return {
    name: cloud.name,
    render: (input) => cloud.render(input),
    close: async () => {
      await owned?.close();
    },
  };
}
