// Festive effects are data (assets/effects/*.json, shipped as an extra resource): particle layers plus a gentle camera move.
// Sizes and speeds are in pixels of a 1080-px-wide frame, so an effect looks the same at any output size.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VideoError } from './errors';

const Range = z.tuple([z.number(), z.number()]).refine(([a, b]) => a <= b, 'range must be [min, max]');
const Unit = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).refine(([a, b]) => a <= b, 'range must be [min, max]');
const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/);

export const SpriteShape = z.enum(['dot', 'spark', 'snowflake', 'lantern', 'fu']);
export type SpriteShape = z.infer<typeof SpriteShape>;

const Common = {
  shape: SpriteShape,
  colors: z.array(Colour).min(1).max(8),
  /** Sprite width in px (1080-wide frame). */
  size: Range.refine(([a, b]) => a >= 2 && b <= 400, 'size must be within 2..400 px'),
  opacity: Unit.default([1, 1]),
  /** 'add' makes overlapping sparks glow (fireworks); 'over' is plain alpha. */
  blend: z.enum(['over', 'add']).default('over'),
};

/** Particles that fall from the top (snow, 福) or rise from the bottom (sky lanterns), swaying sideways. */
const Drift = z.object({
  kind: z.enum(['fall', 'rise']),
  ...Common,
  count: z.number().int().min(1).max(400),
  /** Vertical speed, px/s. */
  speed: Range,
  /** Sideways sway amplitude (px) and frequency (Hz). */
  sway: Range.default([0, 0]),
  swayHz: Range.default([0.2, 0.5]),
  /** Spin, degrees per second (sign picked at random); for symmetric shapes such as snowflakes. */
  spin: Range.default([0, 0]),
  /** Rocking to and fro, amplitude in degrees; for shapes that must stay upright-ish such as 福. */
  rock: Range.default([0, 0]),
  /** Horizontal band (fraction of the width) where particles live. */
  xBand: Unit.default([0, 1]),
});

/** Fireworks: bursts of sparks expanding from a point, slowing down, falling and fading. */
const Burst = z.object({
  kind: z.literal('burst'),
  ...Common,
  bursts: z.number().int().min(1).max(40),
  sparks: z.number().int().min(4).max(200),
  /** Initial spark speed, px/s; drag slows them (1/s); gravity pulls them down (px/s²). */
  speed: Range,
  drag: z.number().min(0).max(10).default(1.6),
  gravity: z.number().min(0).max(500).default(60),
  /** Seconds a spark lives. */
  life: Range,
  /** Where bursts happen, as fractions of width / height. */
  xBand: Unit.default([0.1, 0.9]),
  yBand: Unit.default([0.05, 0.4]),
  /** Fading copies drawn behind each spark. */
  trail: z.number().int().min(0).max(6).default(2),
});

/** Lanterns hanging from the top edge, swinging gently about their string. */
const Hang = z.object({
  kind: z.literal('hang'),
  ...Common,
  count: z.number().int().min(1).max(12),
  /** How far the lantern hangs below the top edge, as a fraction of the height. */
  drop: Unit.default([0.02, 0.12]),
  /** Swing amplitude, degrees, and frequency, Hz. */
  swing: Range.default([3, 8]),
  swingHz: Range.default([0.3, 0.5]),
  xBand: Unit.default([0.05, 0.95]),
});

export const EffectLayer = z.discriminatedUnion('kind', [Drift, Burst, Hang]);
export type EffectLayer = z.infer<typeof EffectLayer>;

export const EffectSpec = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
  name: z.object({ zh: z.string(), en: z.string() }),
  /** Zoom at the end of the clip (1 = none); the move is anchored on the people so they barely shift. */
  camera: z.object({ zoom: z.number().min(1).max(1.12).default(1.04) }).default({ zoom: 1.04 }),
  /** Seed of the particle layout: the same photo and effect always give the same clip. */
  seed: z.number().int().default(2026),
  layers: z.array(EffectLayer).min(1).max(8),
});
export type EffectSpec = z.infer<typeof EffectSpec>;

/** assets/effects of the source checkout (fireworks, lanterns, snow, fu); packaged apps pass their resources path. */
export function builtinEffectsDir(): string {
  let dir = moduleDir();
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', 'effects');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(process.cwd(), 'assets', 'effects');
}

function moduleDir(): string {
  if (typeof __dirname === 'string') return __dirname;
  return fileURLToPath(new URL('.', import.meta.url));
}

/** Parses one effect; throws VideoError BAD_INPUT naming the failing path. */
export function parseEffect(json: unknown, source = 'effect'): EffectSpec {
  const r = EffectSpec.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VideoError('BAD_INPUT', `${source}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return r.data;
}

/** Every *.json effect in a directory, by id. Broken files are reported, not skipped silently. */
export function loadEffects(dir: string = builtinEffectsDir()): Map<string, EffectSpec> {
  const out = new Map<string, EffectSpec>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    throw new VideoError('BAD_INPUT', `effects directory not readable: ${dir}`);
  }
  for (const f of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch {
      throw new VideoError('BAD_INPUT', `${f}: not valid JSON`);
    }
    const spec = parseEffect(json, f);
    out.set(spec.id, spec);
  }
  return out;
}

export function getEffect(id: string, dir?: string): EffectSpec {
  const spec = loadEffects(dir).get(id);
  if (!spec) throw new VideoError('BAD_INPUT', `unknown effect: ${id}`);
  return spec;
}
