// The local generator's cut-outs run in their own native worker (native/host, request kind
// 'cut-out'), apart from the checks' stills and live workers: segmenting four photos for a
// 时空拼图 never delays a check or the live hints, and a crash or a hostile file there restarts
// that worker only. The model loads on the first cut-out.
import { NativeHost } from '../../../../../native/host/client';
import { logger } from '../../../infra/log';
import type { Segmenter } from './people';

export interface CutoutServiceOptions {
  modelsDir: string;
  /** Worker entry; default: native/host/worker.ts from sources, dist/native/worker.cjs from a bundle. */
  workerPath?: string;
  /** Per cut-out time limit (ms); a 12 MP photo takes well under a second here. */
  timeoutMs?: number;
  /** ONNX threads (default 2: the generator runs while the family waits, nothing else is heavy then). */
  threads?: number;
}

export interface CutoutService {
  segment: Segmenter;
  close(): Promise<void>;
}

export function createCutoutService(opts: CutoutServiceOptions): CutoutService {
  const log = logger('generator.cutout');
  const host = new NativeHost({
    modelsDir: opts.modelsDir,
    workerPath: opts.workerPath,
    name: 'cutout',
    threads: opts.threads ?? 2,
    timeoutMs: opts.timeoutMs ?? 15_000,
    log: (level, event, fields) => log[level](event, fields),
  });
  return {
    async segment(req) {
      // A private copy is transferred to the worker; the caller's buffer stays usable (it is cached).
      const image = new Uint8Array(req.image);
      const r = await host.call(
        'cut-out',
        { image, faces: req.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, score: f.score })), width: req.width, height: req.height, mode: req.mode, maxFacePx: req.maxFacePx, maxLongPx: req.maxLongPx },
        { transfer: [image.buffer as ArrayBuffer] },
      );
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail ?? r.error.message}`);
      log.info('cut', { mode: req.mode, faces: req.faces.length, ...r.value.timings, width: r.value.width, height: r.value.height });
      return r.value;
    },
    close: () => host.close(),
  };
}
