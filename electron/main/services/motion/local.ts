// The local (offline, default) 微动态 renderer: native/video's ffmpeg pipeline behind MotionRenderer.
// Writes <outDir>/living-photo.mp4 and, for iPhones, <outDir>/LIVE_<id>.JPG + .MOV.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinEffectsDir, loadEffects, type EffectSpec } from '../../../../native/video/effects';
import { makeLivePhoto } from '../../../../native/video/live-photo';
import { renderLivingPhoto } from '../../../../native/video/living-photo';
import sharp from 'sharp';
import type { Box } from '../../../../native/video/people';
import { logger } from '../../infra/log';
import { aiMarkBox } from '../generator/aigc';
import { MotionConfig } from './config';
import { motionFailure } from './failures';
import type { MotionInput, MotionOutput, MotionRenderer } from './types';

const log = logger('motion.local');

export interface LocalMotionOptions {
  /** Where the effect JSON files are (assets/effects). */
  effectsDir?: string;
  config?: MotionConfig;
  /** Scratch space for the per-job temp folders (always removed); defaults to the OS temp dir. */
  tmpRoot?: string;
}

export const MP4_NAME = 'living-photo.mp4';

/**
 * The iPhone pair for a finished clip. A failure here must not cost the customer the MP4 (Android,
 * the download page): it is logged and the order gets the clip without the pair. A cancel still cancels.
 */
export async function livePhotoOrNull(mp4Path: string, input: MotionInput, tmpRoot?: string): Promise<MotionOutput['livePhoto']> {
  const id = (input.orderId ?? `${Date.now()}`).replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'clip';
  try {
    return await makeLivePhoto({ mp4Path, stillPath: input.imagePath, outDir: input.outDir, baseName: `LIVE_${id}`, signal: input.signal, tmpRoot });
  } catch (e) {
    if (input.signal.aborted) throw e;
    log.warn('live-photo-failed', { cause: (e as Error).message });
    return null;
  }
}

/** The generator's layers plus the delivered picture's visible AI label, which must not drift away either. */
async function withMark(imagePath: string, layers: NonNullable<MotionInput['layers']>): Promise<{ scenePath: string; stillMaskPath: string; stillRects: Box[] }> {
  const meta = await sharp(imagePath).metadata();
  const mark = meta.width && meta.height ? aiMarkBox(meta.width, meta.height) : null;
  return { scenePath: layers.scene, stillMaskPath: layers.stillMask, stillRects: mark ? [mark] : [] };
}

export function createLocalMotionRenderer(opts: LocalMotionOptions = {}): MotionRenderer {
  const cfg = opts.config ?? MotionConfig.parse({});
  let effects: Map<string, EffectSpec> | null = null;
  const effectFor = (id: string): EffectSpec => {
    effects ??= loadEffects(opts.effectsDir ?? builtinEffectsDir());
    // An unknown effect name (old order, typo in the catalog) gets the configured default, not a failure.
    const spec = effects.get(id) ?? effects.get(cfg.effect) ?? effects.values().next().value;
    if (!spec) throw motionFailure(new Error('no effects installed'));
    return spec;
  };

  return {
    name: 'local',
    async render(input: MotionInput): Promise<MotionOutput> {
      const started = Date.now();
      try {
        mkdirSync(input.outDir, { recursive: true });
        const effect = effectFor(input.effect);
        const withLive = cfg.livePhoto;
        const clip = await renderLivingPhoto({
          imagePath: input.imagePath,
          layers: input.layers ? await withMark(input.imagePath, input.layers) : undefined,
          faces: input.faces,
          effect,
          outPath: join(input.outDir, MP4_NAME),
          width: cfg.local.width,
          fps: cfg.local.fps,
          crf: cfg.local.crf,
          preset: cfg.local.preset,
          timeoutMs: cfg.local.timeoutMs,
          signal: input.signal,
          tmpRoot: opts.tmpRoot,
          // The Live Photo remux is quick; keep the last 5 % for it.
          onProgress: (f) => input.onProgress?.(withLive ? f * 0.95 : f),
        });
        const livePhoto = withLive ? await livePhotoOrNull(clip.path, input, opts.tmpRoot) : null;
        input.onProgress?.(1);
        log.info('rendered', { effect: effect.id, ms: Date.now() - started, encodeMs: clip.timings.encodeMs, faces: clip.faces.length, layered: !!input.layers, livePhoto: !!livePhoto });
        return { mp4Path: clip.path, livePhoto, provider: 'local' };
      } catch (e) {
        const f = motionFailure(e);
        log.warn('failed', { code: f.code, cause: (e as Error).message, ms: Date.now() - started });
        throw f;
      }
    },
  };
}
