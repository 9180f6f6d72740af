// Settings of the Jimeng provider: the `jimeng` section of config.json, with the credentials and
// endpoint overridable from the environment (JIMENG_ENDPOINT / JIMENG_ACCESS_KEY / JIMENG_SECRET_KEY).
// The keys are secrets: never log this object whole, never send it to the renderer (use describeJimengConfig).
import { z } from 'zod';

const ReqKey = z.string().min(1).max(64).regex(/^[a-z0-9_]+$/);

export const JimengConfig = z.object({
  endpoint: z.url().default('https://visual.volcengineapi.com'),
  region: z.string().min(1).default('cn-north-1'),
  service: z.string().min(1).default('cv'),
  version: z.string().default('2022-08-31'),
  accessKey: z.string().default(''),
  secretKey: z.string().default(''),
  /** STS session token (X-Security-Token), when temporary credentials are used. */
  sessionToken: z.string().optional(),
  /** Products → req_keys, as data. puzzleFallback is used when no object storage can host the photos. */
  reqKeys: z
    .object({
      puzzle: ReqKey.default('jimeng_t2i_v40'),
      puzzleFallback: ReqKey.default('jimeng_i2i_v30'),
      makeover: ReqKey.default('jimeng_i2i_v30'),
    })
    .default({ puzzle: 'jimeng_t2i_v40', puzzleFallback: 'jimeng_i2i_v30', makeover: 'jimeng_i2i_v30' }),
  /**
   * 尊享 (package model "enhanced"): the higher-quality request settings, as data. Defaults: 4.0
   * (multi-image composition) for both products where photos can be hosted, at the largest 4:3
   * size, and i2i 3.0 at its largest size and a stronger style scale otherwise.
   */
  enhanced: z
    .object({
      reqKeys: z
        .object({ puzzle: ReqKey.default('jimeng_t2i_v40'), puzzleFallback: ReqKey.default('jimeng_i2i_v30'), makeover: ReqKey.default('jimeng_i2i_v30') })
        .default({ puzzle: 'jimeng_t2i_v40', puzzleFallback: 'jimeng_i2i_v30', makeover: 'jimeng_i2i_v30' }),
      t2iWidth: z.number().int().default(4096),
      t2iHeight: z.number().int().default(3072),
      i2iWidth: z.number().int().min(512).max(2016).default(2016),
      i2iHeight: z.number().int().min(512).max(2016).default(1512),
      scale: z.number().min(0).max(1).default(0.6),
    })
    .default({
      reqKeys: { puzzle: 'jimeng_t2i_v40', puzzleFallback: 'jimeng_i2i_v30', makeover: 'jimeng_i2i_v30' },
      t2iWidth: 4096,
      t2iHeight: 3072,
      i2iWidth: 2016,
      i2iHeight: 1512,
      scale: 0.6,
    }),
  /** Parallel tasks per order (Jimeng answers 50430 beyond the account's concurrency). */
  concurrency: z.number().int().min(1).max(8).default(4),
  timeouts: z
    .object({
      connectMs: z.number().int().min(100).default(5_000),
      /** Whole HTTP call (submit or one poll), the SDKs' 30 s. */
      callMs: z.number().int().min(100).default(30_000),
      /** One variant from submit to image, resubmissions included. */
      taskMs: z.number().int().min(1_000).default(150_000),
    })
    .default({ connectMs: 5_000, callMs: 30_000, taskMs: 150_000 }),
  polling: z
    .object({
      /** First poll interval before any task of this req_key was timed. */
      initialMs: z.number().int().min(10).default(600),
      minMs: z.number().int().min(10).default(200),
      maxMs: z.number().int().min(10).default(3_000),
    })
    .default({ initialMs: 600, minMs: 200, maxMs: 3_000 }),
  retries: z
    .object({
      /** 50429/50430 (throttled, no task created). */
      throttle: z.number().int().min(0).max(20).default(6),
      /** 5xx and timeouts. */
      server: z.number().int().min(0).max(5).default(2),
      /** 50511/50519 (output audit) and expired tasks: a new task. */
      resubmit: z.number().int().min(0).max(5).default(1),
      backoffMs: z.number().int().min(1).default(800),
    })
    .default({ throttle: 6, server: 2, resubmit: 1, backoffMs: 800 }),
  output: z
    .object({
      /** jimeng_t2i_v40 size (w·h ∈ [1024², 4096²]); 4:3 2K is the recommended preset. */
      t2iWidth: z.number().int().default(2304),
      t2iHeight: z.number().int().default(1728),
      /** jimeng_i2i_v30 size (range [512, 2016], output ≤ 1536). */
      i2iWidth: z.number().int().min(512).max(2016).default(1472),
      i2iHeight: z.number().int().min(512).max(2016).default(1104),
      scale: z.number().min(0).max(1).default(0.5),
    })
    .default({ t2iWidth: 2304, t2iHeight: 1728, i2iWidth: 1472, i2iHeight: 1104, scale: 0.5 }),
  aigc: z
    .object({
      /** Implicit label (AIGCMeta): producer_id is required by Jimeng; we use <kioskId>-<order>-<index>. */
      contentProducer: z.string().max(256).default('tuanyuan-kiosk'),
      contentPropagator: z.string().max(256).default('tuanyuan-kiosk'),
      /** Visible "AI生成" mark added on the kiosk (placement configurable). */
      mark: z
        .object({
          enabled: z.boolean().default(true),
          text: z.string().min(1).max(20).default('AI生成'),
          position: z.enum(['bottom-right', 'bottom-left', 'top-left', 'top-right']).default('bottom-right'),
          /** Mark height as a share of the image's short side. */
          size: z.number().min(0.01).max(0.2).default(0.035),
          opacity: z.number().min(0.2).max(1).default(0.85),
        })
        .default({ enabled: true, text: 'AI生成', position: 'bottom-right', size: 0.035, opacity: 0.85 }),
    })
    .default({
      contentProducer: 'tuanyuan-kiosk',
      contentPropagator: 'tuanyuan-kiosk',
      mark: { enabled: true, text: 'AI生成', position: 'bottom-right', size: 0.035, opacity: 0.85 },
    }),
  cost: z
    .object({
      /** What one billed output image costs, to compare with the daily budget. */
      priceFenPerImage: z.number().int().min(0).default(20),
      /** 0 = no daily limit. */
      dailyBudgetFen: z.number().int().min(0).default(20_000),
      /** Calls (submits) one order may make, supplementary requests and regenerations included. */
      maxCallsPerOrder: z.number().int().min(1).default(16),
      /** Regenerations per session (the first generation is not one). */
      regenerationsPerOrder: z.number().int().min(0).default(1),
    })
    .default({ priceFenPerImage: 20, dailyBudgetFen: 20_000, maxCallsPerOrder: 16, regenerationsPerOrder: 1 }),
});
export type JimengConfig = z.infer<typeof JimengConfig>;

/** Parses the config.json section (unknown shape) and applies the environment overrides. Throws a ZodError on invalid values. */
export function jimengConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): JimengConfig {
  const base = fileSection && typeof fileSection === 'object' ? { ...(fileSection as Record<string, unknown>) } : {};
  if (env.JIMENG_ENDPOINT) base.endpoint = env.JIMENG_ENDPOINT;
  if (env.JIMENG_ACCESS_KEY) base.accessKey = env.JIMENG_ACCESS_KEY;
  if (env.JIMENG_SECRET_KEY) base.secretKey = env.JIMENG_SECRET_KEY;
  if (env.JIMENG_CONCURRENCY) base.concurrency = Number(env.JIMENG_CONCURRENCY);
  return JimengConfig.parse(base);
}

export function hasCredentials(cfg: JimengConfig): boolean {
  return cfg.accessKey.length > 0 && cfg.secretKey.length > 0;
}

/** What may be logged or shown to the operator: no secrets, only whether they are set. */
export function describeJimengConfig(cfg: JimengConfig): Record<string, unknown> {
  return {
    endpoint: cfg.endpoint,
    region: cfg.region,
    reqKeys: cfg.reqKeys,
    concurrency: cfg.concurrency,
    accessKeySet: cfg.accessKey.length > 0,
    secretKeySet: cfg.secretKey.length > 0,
  };
}
