// The `local` generator: the kiosk's offline default. No cloud AI — the people the face checks
// found are cut out on the device (native segmentation worker, see segmenter.ts; a soft vignette
// only when no segmenter is available) and composed into the chosen style's festive scene: scaled
// to one face size, standing on one ground line, colour-matched to the scene with a contact
// shadow, four different layouts and colour grades for the four variants (see layouts.ts).
// Deterministic per seed, streamed one variant at a time, cancellable between steps.
import type { FaceBox } from '../../../../shared/contract';
import { KioskFailure } from '../../../../shared/result';
import { logger } from '../../../infra/log';
import type { GeneratedVariant, GenerateInput, Generator, VariantFailure } from '../types';
import { composeVariant } from './compose';
import { LAYOUTS, planVariant } from './layouts';
import { outfitKind } from './outfit';
import { type CutMode, type Cutout, cutPhoto, type Segmenter } from './people';
import { createRng } from './rng';
import { sceneFor } from './scene';

const log = logger('generator.local');

export interface LocalGeneratorOptions {
  /** Where styles' templates live (assets/templates/<styleId>.svg). */
  assetsDir: string;
  /** Used only for a photo that arrives without face boxes. */
  detectFaces?: (image: Buffer) => Promise<FaceBox[]>;
  /** Real person cut-outs (createCutoutService(...).segment); without it the vignette is used. */
  segment?: Segmenter;
  /** Output size in pixels; default 1800×1200 (6×4 in at 300 dpi). */
  width?: number;
  height?: number;
}

export const LOCAL_OUTPUT = { width: 1800, height: 1200 } as const;

/**
 * 尊享 (model "enhanced") locally: the compositor's best path. 1.5 × the output size (2700 × 1800,
 * 450 dpi at 6 × 4 in: a crisper print and download), people cut at up to 450 px a face instead of
 * MAX_FACE_PX (250: the larger output draws faces up to 1.5 × that, and must not upscale them), and the cut-out's edge tightened (less halo).
 */
// maxLongPx: the worker's default crop (1620 px, the standard print's widest group) × 1.5.
export const LOCAL_ENHANCED = { scale: 1.5, maxFacePx: 450, maxLongPx: 2430 } as const;

export function createLocalGenerator(opts: LocalGeneratorOptions): Generator {
  const baseW = opts.width ?? LOCAL_OUTPUT.width;
  const baseH = opts.height ?? LOCAL_OUTPUT.height;
  // runVariants asks for each slot separately and in parallel with the same photo buffers:
  // cut each photo once per request set instead of four times.
  const cutCache = new WeakMap<Buffer, Map<string, Promise<Cutout>>>();

  const cut = (photo: GenerateInput['photos'][number], mode: CutMode, outfit: ReturnType<typeof outfitKind>, enhanced: boolean): Promise<Cutout> => {
    const key = `${mode}|${outfit ?? ''}|${enhanced ? 'enhanced' : 'standard'}|${photo.width}x${photo.height}|${JSON.stringify(photo.faces)}`;
    let byKey = cutCache.get(photo.jpeg);
    if (!byKey) {
      byKey = new Map();
      cutCache.set(photo.jpeg, byKey);
    }
    let hit = byKey.get(key);
    if (!hit) {
      hit = cutPhoto(photo, {
        mode,
        outfit,
        detectFaces: opts.detectFaces,
        segment: opts.segment,
        ...(enhanced ? { maxFacePx: LOCAL_ENHANCED.maxFacePx, maxLongPx: LOCAL_ENHANCED.maxLongPx, refineMask: true } : {}),
        onFallback: (reason) => log.warn('cutout-fallback', { reason: reason.slice(0, 200) }),
      });
      byKey.set(key, hit);
      hit.catch(() => byKey.delete(key));
    }
    return hit;
  };

  return {
    name: 'local',
    async generate(input: GenerateInput, onVariant: (v: GeneratedVariant) => void): Promise<VariantFailure[]> {
      const { signal } = input;
      signal.throwIfAborted();
      const makeover = input.product.id === 'makeover';
      const photos = makeover ? input.photos.slice(0, 1) : input.photos.slice(0, 6);
      if (photos.length === 0) throw new KioskFailure('NO_PHOTOS', '还没有照片，请先拍照或上传', false);
      const mode: CutMode = makeover ? 'group' : 'upper-body';
      const outfit = input.style.outfits.some((o) => o.id === input.outfitId) ? outfitKind(input.outfitId) : null;
      const enhanced = input.model === 'enhanced';
      const W = enhanced ? Math.round(baseW * LOCAL_ENHANCED.scale) : baseW;
      const H = enhanced ? Math.round(baseH * LOCAL_ENHANCED.scale) : baseH;

      let cuts: Cutout[];
      try {
        cuts = await Promise.all(photos.map((p) => cut(p, mode, outfit, enhanced)));
      } catch (e) {
        signal.throwIfAborted();
        log.warn('photo-unreadable', { orderId: input.orderId, error: e as Error });
        throw new KioskFailure('PHOTO_UNREADABLE', '照片无法读取，请重新拍摄', false);
      }
      signal.throwIfAborted();
      const scene = await sceneFor(input.style, opts.assetsDir, W, H);

      const failures: VariantFailure[] = [];
      for (const index of input.indices) {
        signal.throwIfAborted();
        const seed = input.seed + index;
        const started = Date.now();
        try {
          const kind = LAYOUTS[((index % LAYOUTS.length) + LAYOUTS.length) % LAYOUTS.length]!;
          const plan = planVariant(kind, cuts, input.style, createRng(seed), W, H, Math.floor(Math.max(0, index) / LAYOUTS.length));
          const { image, layers } = await composeVariant({ scene, cuts, plan, width: W, height: H, signal });
          signal.throwIfAborted();
          log.info('variant', { orderId: input.orderId, index, layout: kind, styleId: input.style.id, ms: Date.now() - started });
          onVariant({ index, seed, image, layers });
        } catch (e) {
          signal.throwIfAborted();
          log.warn('variant-failed', { orderId: input.orderId, index, error: e as Error });
          failures.push({ index, code: 'LOCAL_RENDER_FAILED', message: '这张照片没有生成成功，请重试', retryable: true });
        }
      }
      return failures;
    },
  };
}
