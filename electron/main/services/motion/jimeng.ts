// The cloud 微动态 renderer: Jimeng image-to-video (jimeng_i2v_first_v30 by default; protocol notes
// §3.4) through the generator's shared low-level client (V4 signing, submit + long polling, error
// classes). The video URL lives one hour, so the clip is downloaded the moment the task is done,
// then brought to the delivery format (1080 px, 25 fps, +faststart) and paired as a Live Photo.
// When the service fails, refuses, is too slow (budgetMs) or the day's money budget is spent, the
// local renderer makes the clip instead: a paid order always gets its living photo.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { normalizeClip } from '../../../../native/video/normalize';
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import type { CostGuard } from '../generator/costGuard';
import type { JimengClient } from '../generator/jimeng/client';
import { JimengError } from '../generator/jimeng/errors';
import { MotionConfig, promptFor } from './config';
import { motionFailure } from './failures';
import { livePhotoOrNull, MP4_NAME } from './local';
import type { MotionInput, MotionOutput, MotionRenderer } from './types';

const log = logger('motion.jimeng');

/** What this renderer needs of the shared Jimeng client. */
export type VideoTaskClient = Pick<JimengClient, 'run' | 'download' | 'typicalDurationMs'>;

export interface JimengMotionOptions {
  client: VideoTaskClient;
  config?: MotionConfig;
  /** Used when the cloud fails or is over budget (normally the local renderer); null = fail instead. */
  fallback?: MotionRenderer | null;
  /** A motion-only cost guard (price per video, daily budget); absent = no money limit. */
  costGuard?: CostGuard;
  /** aigc_meta (implicit AI label, required by the video API in req_json). */
  aigc?: { kioskId: string; contentProducer: string; contentPropagator: string };
  tmpRoot?: string;
}

/** Jimeng i2v input limits (§3.4): JPEG ≤ 4.7 MB, ≤ 4096 px, short side ≥ 320, long/short ≤ 3. */
export async function prepareI2vImage(imagePath: string): Promise<Buffer> {
  const meta = await sharp(imagePath).metadata();
  const swapped = (meta.orientation ?? 1) >= 5;
  let w = (swapped ? meta.height : meta.width) ?? 0;
  let h = (swapped ? meta.width : meta.height) ?? 0;
  if (w < 16 || h < 16) throw new KioskFailure('MOTION_BAD_INPUT', '这张照片无法制作微动态', false);
  let img = sharp(imagePath).rotate();
  // Extreme panoramas: centre-crop to 3:1 rather than be refused.
  if (w / h > 3 || h / w > 3) {
    const cw = Math.min(w, Math.floor(h * 3));
    const ch = Math.min(h, Math.floor(w * 3));
    img = sharp(await img.extract({ left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch }).toBuffer());
    [w, h] = [cw, ch];
  }
  // 1920 on the long side is plenty for 720p/1080p video; small photos are enlarged to the 320-px minimum.
  const scale = Math.max(Math.min(1, 1920 / Math.max(w, h)), 320 / Math.min(w, h));
  img = img.resize(Math.round(w * scale), Math.round(h * scale), { fit: 'fill' });
  for (const quality of [90, 80, 70]) {
    const jpeg = await img.clone().jpeg({ quality }).toBuffer();
    if (jpeg.length <= 4.5 * 1024 * 1024) return jpeg;
  }
  throw new KioskFailure('MOTION_BAD_INPUT', '这张照片无法制作微动态', false);
}

function cloudFailure(e: unknown): KioskFailure {
  if (e instanceof KioskFailure) return e;
  if (e instanceof JimengError) {
    switch (e.kind) {
      case 'input_audit':
        return new KioskFailure('MOTION_REFUSED', '这张照片未通过内容审核，无法制作 AI 微动态', false);
      case 'auth':
        return new KioskFailure('MOTION_UNAVAILABLE', 'AI 微动态服务暂时不可用，请联系工作人员', false);
      case 'aborted':
        return new KioskFailure('MOTION_CANCELLED', '微动态制作已取消', false);
      default:
        if (e.code === 'TASK_TIMEOUT' || e.code === 'TIMEOUT') return new KioskFailure('MOTION_TIMEOUT', '微动态制作超时，稍后会自动重试', true);
        return new KioskFailure('MOTION_FAILED', 'AI 微动态暂时没有生成成功，稍后会自动重试', true);
    }
  }
  return motionFailure(e);
}

export function createJimengMotionRenderer(opts: JimengMotionOptions): MotionRenderer {
  const cfg = opts.config ?? MotionConfig.parse({ provider: 'jimeng' });
  const { reqKey, frames, budgetMs } = cfg.jimeng;
  const fallback = cfg.jimeng.fallbackToLocal ? (opts.fallback ?? null) : null;

  const viaFallback = async (input: MotionInput, why: string, code: string | number, failure: KioskFailure): Promise<MotionOutput> => {
    if (!fallback) throw failure;
    log.warn('fallback', { why, code, to: fallback.name });
    input.onProgress?.(0);
    return fallback.render(input);
  };

  return {
    name: 'jimeng',
    async render(input: MotionInput): Promise<MotionOutput> {
      if (input.signal.aborted) throw new KioskFailure('MOTION_CANCELLED', '微动态制作已取消', false);
      const orderId = input.orderId ?? `motion-${Date.now()}`;
      if (opts.costGuard) {
        const check = opts.costGuard.reserve(orderId);
        if (!check.ok) return viaFallback(input, 'over-budget', check.failure.code, check.failure);
      }
      let settled = false;
      const settle = (videos: number) => {
        if (!settled && opts.costGuard) opts.costGuard.settle(orderId, videos);
        settled = true;
      };

      const started = Date.now();
      const budget = AbortSignal.timeout(budgetMs);
      const signal = AbortSignal.any([input.signal, budget]);
      // Jimeng reports no progress: estimate from the typical task time, never reaching the end early.
      const expected = opts.client.typicalDurationMs(reqKey) ?? 90_000;
      const ticker = setInterval(() => input.onProgress?.(Math.min(0.85, (0.85 * (Date.now() - started)) / expected)), 1_000);
      ticker.unref();
      const tmp = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'motion-jimeng-'));
      try {
        input.onProgress?.(0);
        const image = await prepareI2vImage(input.imagePath);
        const body: Record<string, unknown> = {
          binary_data_base64: [image.toString('base64')],
          prompt: promptFor(input.effect, cfg),
          frames,
          seed: -1,
        };
        const reqJson = opts.aigc
          ? {
              aigc_meta: {
                content_producer: opts.aigc.contentProducer,
                producer_id: `${opts.aigc.kioskId}-${orderId}-motion`.slice(0, 256),
                content_propagator: opts.aigc.contentPropagator,
              },
            }
          : undefined;
        const outcome = await opts.client.run(reqKey, body, {
          signal,
          reqJson,
          onSubmitted: (taskId) => {
            opts.costGuard?.recordCall(orderId);
            log.info('submitted', { orderId, reqKey, taskId });
          },
        });
        if (!outcome.videoUrl) throw new JimengError('resubmit', 'NO_VIDEO', 'task done without video_url');
        // Jimeng bills a video once it returns its URL, whatever happens to the download.
        settle(1);
        // The URL expires in an hour: fetch it now, before anything else.
        const video = await opts.client.download(outcome.videoUrl, signal);
        clearInterval(ticker);
        input.onProgress?.(0.9);
        const raw = join(tmp, 'jimeng.mp4');
        await writeFile(raw, video);
        mkdirSync(input.outDir, { recursive: true });
        const clip = await normalizeClip({
          inPath: raw,
          outPath: join(input.outDir, MP4_NAME),
          width: cfg.local.width,
          fps: cfg.local.fps,
          maxSec: (frames - 1) / 24,
          signal: input.signal,
          tmpRoot: tmp,
          onProgress: (f) => input.onProgress?.(0.9 + 0.07 * f),
        });
        const livePhoto = cfg.livePhoto ? await livePhotoOrNull(clip.path, { ...input, orderId }, tmp) : null;
        input.onProgress?.(1);
        log.info('rendered', { orderId, reqKey, taskId: outcome.taskId, ms: Date.now() - started, submits: outcome.submits, retries: outcome.retries });
        return { mp4Path: clip.path, livePhoto, provider: 'jimeng' };
      } catch (e) {
        settle(0);
        if (input.signal.aborted) throw new KioskFailure('MOTION_CANCELLED', '微动态制作已取消', false);
        const failure = budget.aborted ? new KioskFailure('MOTION_TIMEOUT', '微动态制作超时', true) : cloudFailure(e);
        if (failure.code === 'MOTION_BAD_INPUT') throw failure;
        log.warn('cloud-failed', { orderId, code: failure.code, cause: e instanceof JimengError ? e.code : (e as Error).message });
        return await viaFallback(input, budget.aborted ? 'over-time' : 'cloud-error', e instanceof JimengError ? e.code : failure.code, failure);
      } finally {
        clearInterval(ticker);
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
