// The living photo (微动态), in the background: its failure never holds up the print or the photo
// download. Rendered from the final picture, then uploaded next to the photo in the share folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../../../infra/log';
import { existingMotionLayers, type MotionLayerPaths } from '../../motion/layers';
import { tx } from '../../store/db';
import { facesOf } from '../context';
import type { DeliverableHandler, HandlerContext } from './handler';

const log = logger('delivery');
/** The living photo's festive effect per style; unknown → the motion renderer's configured default. */
const STYLE_EFFECTS: Record<string, string> = { gugong: 'lanterns', hongmu: 'lanterns', xinzhongshi: 'fu', oushi: 'snow', guochao: 'fireworks' };

export function motionHandler({ deps, changed }: HandlerContext): DeliverableHandler {
  const runs = new Map<string, AbortController>();

  /**
   * The picked variant's layers (scene without the people, still mask), when its generator made
   * them and the delivered picture is that variant at full size: a watermarked (free) picture
   * keeps the clip made from the picture itself, so the clip is never cleaner than the photo.
   */
  function layersOf(orderId: string): MotionLayerPaths | undefined {
    const o = deps.repo.order(orderId);
    if (!o || deps.catalog().packages.find((p) => p.id === o.package_id)?.watermark !== false) return undefined;
    const v = deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === o.picked_index);
    const src = v?.result_asset_id ? deps.repo.asset(v.result_asset_id) : undefined;
    return (src && existingMotionLayers(src.path)) ?? undefined;
  }

  return {
    kind: 'motion',
    usesShare: true,
    background: true,
    // Only when a motion renderer is configured: otherwise the package delivers without it.
    plan: (_orderId, pkg) => ((pkg?.motion ?? false) && deps.motion !== null ? {} : null),
    due: (row) => row.status === 'pending',
    async run(_row, { orderId, finalPath, shareKey }) {
      const motion = deps.motion;
      if (!motion || runs.has(orderId)) return true;
      const ctl = new AbortController();
      runs.set(orderId, ctl);
      try {
        const faces = await deps.checks.detectFaces(readFileSync(finalPath)).catch(() => facesOf('[]'));
        const outDir = join(deps.paths.results, orderId, 'motion');
        const ord = deps.repo.order(orderId);
        // The family's chosen effect (pick screen), else the style's.
        const effect = ord?.motion_effect ?? STYLE_EFFECTS[ord?.style_id ?? ''] ?? '';
        const input = { imagePath: finalPath, faces, effect, outDir, signal: ctl.signal, orderId, layers: layersOf(orderId) };
        // One more try after a failure (a busy machine can hit the renderer's time limit once).
        const out = await motion.render(input).catch((e: unknown) => {
          if (ctl.signal.aborted) throw e;
          log.warn('motion.retry', { orderId, error: e as Error });
          return motion.render(input);
        });
        tx(deps.db, () => {
          deps.repo.addAsset(orderId, 'motion', out.mp4Path, 'video/mp4');
          if (out.livePhoto) {
            deps.repo.addAsset(orderId, 'livephoto_jpg', out.livePhoto.jpgPath, 'image/jpeg');
            deps.repo.addAsset(orderId, 'livephoto_mov', out.livePhoto.movPath, 'video/quicktime');
          }
          deps.repo.setDeliverable(orderId, 'motion', { status: 'done' });
        });
        if (shareKey) {
          await deps.share.put(`${shareKey}/living.mp4`, out.mp4Path, 'video/mp4');
          if (out.livePhoto) {
            await deps.share.put(`${shareKey}/live.jpg`, out.livePhoto.jpgPath, 'image/jpeg');
            await deps.share.put(`${shareKey}/live.mov`, out.livePhoto.movPath, 'video/quicktime');
          }
        }
        log.info('motion.ready', { orderId });
        return true;
      } catch (e) {
        log.warn('motion.failed', { orderId, error: e as Error });
        deps.repo.setDeliverable(orderId, 'motion', { status: 'failed' });
        deps.repo.audit('system', 'motion_failed', orderId, {});
        return false;
      } finally {
        runs.delete(orderId);
        await changed(orderId).catch(() => undefined);
      }
    },
    stop() {
      for (const c of runs.values()) c.abort();
    },
  };
}
