// Settings of the 微动态 living photo: the `motion` section of config.json, providers.motion (or
// KIOSK_MOTION) choosing the renderer, and a few environment overrides for the operator.
import { z } from 'zod';

export const MOTION_REQ_KEYS = ['jimeng_i2v_first_v30', 'jimeng_i2v_first_v30_1080', 'jimeng_ti2v_v30_pro'] as const;

const LocalSettings = z.object({
  width: z.number().int().min(320).max(2160).default(1080),
  fps: z.number().int().min(24).max(30).default(25),
  /** Whole job (prepare + ffmpeg); ffmpeg is killed when it elapses. */
  timeoutMs: z.number().int().min(5_000).max(600_000).default(60_000),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  crf: z.number().int().min(14).max(32).default(21),
});

const JimengSettings = z.object({
  reqKey: z.enum(MOTION_REQ_KEYS).default('jimeng_i2v_first_v30'),
  /** 24·n + 1 frames: 121 = 5 s. */
  frames: z.union([z.literal(121), z.literal(241)]).default(121),
  /** Submit → downloaded video, resubmissions included; past it the local renderer takes over. */
  budgetMs: z.number().int().min(1_000).max(900_000).default(300_000),
  /** What one video costs (fen): 720P ≈ ¥0.28/s × 5 s. Counted against dailyBudgetFen. */
  priceFenPerVideo: z.number().int().min(0).default(140),
  /** 0 = no daily limit; over it the local renderer is used. */
  dailyBudgetFen: z.number().int().min(0).default(5_000),
  /** Render locally when the cloud fails (recommended: a paid order always gets its clip). */
  fallbackToLocal: z.boolean().default(true),
  /** Low-motion prompts per effect; {effect} falls back to `default`. */
  prompts: z.record(z.string(), z.string().min(1).max(800)).default({}),
});

export const MotionConfig = z.object({
  provider: z.enum(['local', 'jimeng']).default('local'),
  /** Effect used when the order does not name a known one. */
  effect: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).default('fireworks'),
  /** Also write the iPhone Live Photo pair (JPEG + MOV). */
  livePhoto: z.boolean().default(true),
  local: LocalSettings.default(LocalSettings.parse({})),
  jimeng: JimengSettings.default(JimengSettings.parse({})),
});
export type MotionConfig = z.infer<typeof MotionConfig>;

/**
 * Parses config.json's `motion` section (unknown shape), takes the provider from providers.motion
 * when given, then applies KIOSK_MOTION, MOTION_EFFECT, MOTION_LIVE_PHOTO (0/1), MOTION_JIMENG_REQ_KEY.
 * Throws a ZodError on invalid values (the config loader reports it).
 */
export function motionConfigFromEnv(section: unknown, env: NodeJS.ProcessEnv = process.env, provider?: 'local' | 'jimeng'): MotionConfig {
  const base: Record<string, unknown> = section && typeof section === 'object' ? structuredClone(section as Record<string, unknown>) : {};
  if (provider) base.provider = provider;
  if (env.KIOSK_MOTION === 'local' || env.KIOSK_MOTION === 'jimeng') base.provider = env.KIOSK_MOTION;
  if (env.MOTION_EFFECT) base.effect = env.MOTION_EFFECT;
  if (env.MOTION_LIVE_PHOTO === '0' || env.MOTION_LIVE_PHOTO === '1') base.livePhoto = env.MOTION_LIVE_PHOTO === '1';
  if (env.MOTION_JIMENG_REQ_KEY) {
    base.jimeng = { ...((base.jimeng as Record<string, unknown> | undefined) ?? {}), reqKey: env.MOTION_JIMENG_REQ_KEY };
  }
  return MotionConfig.parse(base);
}

/** Default low-motion prompts: the people hold still, only the festive background moves. */
export const DEFAULT_PROMPTS: Record<string, string> = {
  default: '一家人保持静止微笑，面部和身体不动不变形，镜头非常缓慢地推进，背景有轻微的节日氛围动态，画面稳定，光线柔和',
  fireworks: '一家人保持静止微笑，面部和身体不动不变形，背景夜空中烟花缓缓绽放，镜头非常缓慢地推进，画面稳定',
  lanterns: '一家人保持静止微笑，面部和身体不动不变形，背景的红灯笼轻轻摇曳，暖色灯光闪烁，镜头非常缓慢地推进，画面稳定',
  snow: '一家人保持静止微笑，面部和身体不动不变形，背景细雪缓缓飘落，镜头非常缓慢地推进，画面稳定',
  fu: '一家人保持静止微笑，面部和身体不动不变形，背景中红色福字和金色光点缓缓飘落，镜头非常缓慢地推进，画面稳定',
};

export function promptFor(effect: string, cfg: MotionConfig): string {
  return cfg.jimeng.prompts[effect] ?? cfg.jimeng.prompts.default ?? DEFAULT_PROMPTS[effect] ?? (DEFAULT_PROMPTS.default as string);
}
