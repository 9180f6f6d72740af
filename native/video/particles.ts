// The particle layer: a small (half-resolution) premultiplied RGBA clip generated frame by frame in
// JS and streamed to ffmpeg's stdin, which scales it up and overlays it once. Every particle's
// position is a closed-form function of time, so frames can be produced in any order and the same
// effect + seed always gives the same clip.
import { Readable } from 'node:stream';
import type { EffectLayer, EffectSpec, SpriteShape } from './effects';
import { blit, renderSprite, type Sprite } from './sprites';
import { mulberry32 as rng } from '../../electron/shared/random';

export interface ParticleLayerOptions {
  /** Size of the layer in pixels (usually half the output). */
  width: number;
  height: number;
  /** Width of the final video: effect sizes are in px of a 1080-wide frame. */
  outputWidth: number;
  fps: number;
  frames: number;
}


const lerp = (r: () => number, [a, b]: readonly [number, number]): number => a + (b - a) * r();
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(r() * xs.length))] as T;

/** A drawable instant: which sprite, where, how opaque. */
interface Draw {
  key: string;
  x: number;
  y: number;
  alpha: number;
  mode: 'over' | 'add';
}

interface Particle {
  /** Sprite keys this particle may use (all prepared up front). */
  keys: string[];
  draw(t: number, out: Draw[]): void;
}

interface SpriteReq {
  shape: SpriteShape;
  colour: string;
  width: number;
  angle: number;
}

const keyOf = (r: SpriteReq): string => `${r.shape}|${r.colour}|${r.width}|${r.angle}`;

/** Sizes are bucketed so a layer needs a handful of sprite renders, not one per particle. */
function bucketWidth(px: number): number {
  if (px < 8) return Math.max(2, Math.round(px));
  if (px < 24) return Math.round(px / 2) * 2;
  return Math.round(px / 4) * 4;
}

const ANGLE_STEP = 5;
/** How long a firework rocket climbs before its burst. */
const ROCKET_S = 0.5;
const angleBucket = (deg: number): number => Math.round(deg / ANGLE_STEP) * ANGLE_STEP;

function buildLayer(layer: EffectLayer, o: ParticleLayerOptions, seed: number, reqs: Map<string, SpriteReq>): Particle[] {
  const r = rng(seed);
  const W = o.width;
  const H = o.height;
  const unit = o.width / 1080; // layer px per effect px (effects are specified on a 1080-wide frame)
  const duration = o.frames / o.fps;
  const need = (shape: SpriteShape, colour: string, width: number, angle: number): string => {
    const req = { shape, colour, width: bucketWidth(width), angle: angleBucket(angle) };
    const key = keyOf(req);
    if (!reqs.has(key)) reqs.set(key, req);
    return key;
  };
  const out: Particle[] = [];

  if (layer.kind === 'fall' || layer.kind === 'rise') {
    const dir = layer.kind === 'fall' ? 1 : -1;
    for (let i = 0; i < layer.count; i++) {
      const colour = pick(r, layer.colors);
      const w = lerp(r, layer.size) * unit;
      const h = layer.shape === 'lantern' ? w * 1.5 : w;
      const margin = h;
      const span = H + 2 * margin;
      const x0 = lerp(r, layer.xBand) * W;
      const y0 = r() * span;
      const v = lerp(r, layer.speed) * unit;
      const swayA = lerp(r, layer.sway) * unit;
      const swayF = lerp(r, layer.swayHz);
      const phase = r() * Math.PI * 2;
      const alpha = lerp(r, layer.opacity);
      const spin = lerp(r, layer.spin) * (r() < 0.5 ? -1 : 1);
      const rockA = lerp(r, layer.rock);
      const rockF = 0.25 + r() * 0.2;
      // Snowflakes repeat every 60°, so a spinning flake needs only 12 sprite angles.
      const period = layer.shape === 'snowflake' ? 60 : 360;
      const angleAt = (t: number): number => {
        if (spin) return angleBucket(((((spin * t) % period) + period) % period)) % period;
        if (rockA) return angleBucket(rockA * Math.sin(2 * Math.PI * rockF * t + phase));
        return 0;
      };
      const keys = new Set<string>();
      if (spin) for (let a = 0; a < period; a += ANGLE_STEP) keys.add(need(layer.shape, colour, w, a));
      else if (rockA) for (let a = -angleBucket(rockA) - ANGLE_STEP; a <= angleBucket(rockA) + ANGLE_STEP; a += ANGLE_STEP) keys.add(need(layer.shape, colour, w, a));
      else keys.add(need(layer.shape, colour, w, 0));
      const bw = bucketWidth(w);
      out.push({
        keys: [...keys],
        draw(t, list) {
          const travelled = y0 + dir * v * t;
          const y = ((((travelled % span) + span) % span) - margin);
          const x = x0 + swayA * Math.sin(2 * Math.PI * swayF * t + phase);
          // Risers fade out near the top instead of vanishing at the edge.
          const fade = dir < 0 ? Math.min(1, Math.max(0, y / (0.2 * H))) : 1;
          if (fade <= 0) return;
          list.push({ key: keyOf({ shape: layer.shape, colour, width: bw, angle: angleAt(t) }), x, y, alpha: alpha * fade, mode: layer.blend });
        },
      });
    }
  } else if (layer.kind === 'burst') {
    const lifeMax = layer.life[1];
    // Spread the bursts over the clip so something is always blooming.
    const window = Math.max(0.5, duration - lifeMax * 0.5);
    for (let b = 0; b < layer.bursts; b++) {
      const t0 = ((b + r() * 0.8) / layer.bursts) * window - 0.3;
      const cx = lerp(r, layer.xBand) * W;
      const cy = lerp(r, layer.yBand) * H;
      const colour = pick(r, layer.colors);
      const w = lerp(r, layer.size) * unit;
      const flashW = w * 3.5;
      const flashKey = need('spark', colour, flashW, 0);
      const sparkKey = need(layer.shape, colour, w, 0);
      const whiteKey = need(layer.shape, '#ffffff', w * 0.8, 0);
      const k = layer.drag;
      const g = layer.gravity * unit;
      const sparks: { dx: number; dy: number; v: number; life: number; white: boolean; flick: number }[] = [];
      const v0 = lerp(r, layer.speed) * unit;
      for (let j = 0; j < layer.sparks; j++) {
        const a = ((j + r() * 0.6) / layer.sparks) * Math.PI * 2;
        sparks.push({
          dx: Math.cos(a),
          dy: Math.sin(a),
          v: v0 * (0.8 + r() * 0.35),
          life: lerp(r, layer.life),
          white: r() < 0.2,
          flick: r() * 10,
        });
      }
      const trail = layer.trail;
      const rocketRise = H * 0.3;
      out.push({
        keys: [flashKey, sparkKey, whiteKey],
        draw(t, list) {
          const tau = t - t0;
          // The rocket: a spark climbing to the burst point during the half second before it.
          if (tau < 0 && tau > -ROCKET_S) {
            const rise = rocketRise * (-tau / ROCKET_S);
            for (let i = 0; i < 4; i++) {
              list.push({ key: whiteKey, x: cx + Math.sin(tau * 9 + b) * 2, y: cy + rise + i * rocketRise * 0.04, alpha: 0.9 - i * 0.22, mode: 'add' });
            }
            return;
          }
          if (tau < 0 || tau > lifeMax) return;
          if (tau < 0.15) list.push({ key: flashKey, x: cx, y: cy, alpha: 1 - tau / 0.15, mode: 'add' });
          for (const s of sparks) {
            for (let i = trail; i >= 0; i--) {
              const tt = tau - i * 0.035;
              if (tt < 0 || tt > s.life) continue;
              const d = k > 0 ? (s.v * (1 - Math.exp(-k * tt))) / k : s.v * tt;
              const x = cx + s.dx * d;
              const y = cy + s.dy * d + 0.5 * g * tt * tt;
              const life = 1 - tt / s.life;
              const twinkle = life < 0.4 ? 0.6 + 0.4 * Math.sin(tt * 38 + s.flick) : 1;
              const a = Math.pow(life, 1.4) * twinkle * (i === 0 ? 1 : 0.55 * (1 - i / (trail + 1)));
              list.push({ key: s.white ? whiteKey : sparkKey, x, y, alpha: a, mode: layer.blend });
            }
          }
        },
      });
    }
  } else if (layer.kind === 'hang') {
    // hang: lanterns along the top edge, swinging about a pivot at their string.
    for (let i = 0; i < layer.count; i++) {
      const colour = pick(r, layer.colors);
      const w = lerp(r, layer.size) * unit;
      const h = w * 1.5;
      const [bx0, bx1] = layer.xBand;
      const slot = (bx1 - bx0) / layer.count;
      const px = (bx0 + slot * (i + 0.3 + r() * 0.4)) * W;
      const py = lerp(r, layer.drop) * H;
      const amp = lerp(r, layer.swing);
      const f = lerp(r, layer.swingHz);
      const phase = r() * Math.PI * 2;
      const keys = new Set<string>();
      for (let a = -angleBucket(amp) - ANGLE_STEP; a <= angleBucket(amp) + ANGLE_STEP; a += ANGLE_STEP) keys.add(need(layer.shape, colour, w, a));
      const bw = bucketWidth(w);
      const alpha = lerp(r, layer.opacity);
      out.push({
        keys: [...keys],
        draw(t, list) {
          const theta = amp * Math.sin(2 * Math.PI * f * t + phase);
          const rad = (theta * Math.PI) / 180;
          // The sprite's centre swings on a circle around the pivot; the sprite turns the other way (y points down).
          const x = px + (h / 2) * Math.sin(rad);
          const y = py + (h / 2) * Math.cos(rad);
          list.push({ key: keyOf({ shape: layer.shape, colour, width: bw, angle: angleBucket(-theta) }), x, y, alpha, mode: layer.blend });
        },
      });
    }
  }
  return out;
}

export interface ParticleLayer {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly fps: number;
  /** Number of distinct sprites prepared (for logs and benchmarks). */
  readonly spriteCount: number;
  /** Fills `frame` (width·height·4 bytes, premultiplied RGBA) with frame n. */
  renderFrame(n: number, frame: Uint8Array): void;
  /** All frames as a raw rgba byte stream, produced on demand (back-pressure keeps memory flat). */
  stream(signal?: AbortSignal): Readable;
}

/** Plans every particle and renders the sprites they need; frames are then cheap and synchronous. */
export async function prepareParticleLayer(effect: EffectSpec, o: ParticleLayerOptions): Promise<ParticleLayer> {
  const reqs = new Map<string, SpriteReq>();
  const particles: Particle[] = [];
  effect.layers.forEach((layer, i) => particles.push(...buildLayer(layer, o, effect.seed * 7919 + i * 104729, reqs)));
  const sprites = new Map<string, Sprite>();
  const list = [...reqs.entries()];
  // A few at a time: sharp has its own thread pool, and this keeps peak memory small.
  for (let i = 0; i < list.length; i += 8) {
    const batch = list.slice(i, i + 8);
    const rendered = await Promise.all(batch.map(([, q]) => renderSprite(q.shape, q.colour, q.width, q.angle)));
    batch.forEach(([key], j) => sprites.set(key, rendered[j] as Sprite));
  }
  const draws: Draw[] = [];
  const { width, height, fps, frames } = o;

  const renderFrame = (n: number, frame: Uint8Array): void => {
    frame.fill(0);
    draws.length = 0;
    const t = n / fps;
    for (const p of particles) p.draw(t, draws);
    for (const d of draws) {
      const s = sprites.get(d.key);
      if (s) blit(frame, width, height, s, d.x, d.y, d.alpha, d.mode);
    }
  };

  return {
    width,
    height,
    frames,
    fps,
    spriteCount: sprites.size,
    renderFrame,
    stream(signal) {
      let n = 0;
      return new Readable({
        highWaterMark: width * height * 4,
        read() {
          if (signal?.aborted) {
            this.push(null);
            return;
          }
          if (n >= frames) {
            this.push(null);
            return;
          }
          const buf = Buffer.allocUnsafe(width * height * 4);
          renderFrame(n++, buf);
          this.push(buf);
        },
      });
    },
  };
}
