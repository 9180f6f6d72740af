// ChecksService: face/quality checks and compression, run in native/ worker threads so a slow or
// hostile image never blocks the main process. Two workers: one for stills (check, detect),
// one for live guidance frames, so a 12 MP check never delays the preview hints.
import { KioskFailure } from '../../../shared/result';
import type { FaceBox, Guidance } from '../../../shared/contract';
import { logger } from '../../infra/log';
import { NativeHost, type HostResult } from '../../../../native/host/client';
import { HOST_ERRORS, type GuidanceData, type ThresholdsData } from '../../../../native/protocol';
import type { CheckOutcome, CheckThresholds, ChecksService } from './types';

export interface ChecksServiceOptions {
  modelsDir: string;
  thresholds?: Partial<CheckThresholds>;
  /** Worker entry; default: native/host/worker.ts from sources, dist/native/worker.cjs from a bundle. */
  workerPath?: string;
  /** Time limits (ms): a full check, a detection, a live frame. */
  timeouts?: Partial<{ check: number; detect: number; guide: number }>;
  /** ONNX threads for the stills worker (the live worker always uses one). */
  threads?: number;
  /** Enables the worker's crash/sleep test hooks. */
  testHooks?: boolean;
}

const DEFAULT_TIMEOUTS = { check: 8_000, detect: 8_000, guide: 1_500 };

/** Copies the caller's bytes into a fresh ArrayBuffer that can be transferred (the caller's Buffer stays usable). */
function ownedCopy(image: Uint8Array): Uint8Array {
  return new Uint8Array(image);
}

export function createChecksService(opts: ChecksServiceOptions): ChecksService {
  const log = logger('checks');
  const sink = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void => log[level](event, fields);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const base = { modelsDir: opts.modelsDir, workerPath: opts.workerPath, testHooks: opts.testHooks, log: sink };
  const stills = new NativeHost({ ...base, name: 'stills', threads: opts.threads ?? 2, timeoutMs: timeouts.check });
  const live = new NativeHost({ ...base, name: 'live', threads: 1, timeoutMs: timeouts.guide, eyes: false });
  const defaults: ThresholdsData = { ...opts.thresholds };

  // Live frames arrive faster than they may be processed: keep one in flight and one waiting;
  // a newer frame replaces the waiting one, and every caller gets the newest answer.
  let inFlight = false;
  let waiting: { image: Uint8Array; resolvers: Array<(g: Guidance) => void> } | null = null;

  async function runGuide(image: Uint8Array): Promise<Guidance> {
    const copy = ownedCopy(image);
    const r: HostResult<GuidanceData> = await live.call('guide-frame', { image: copy, thresholds: defaults }, { transfer: [copy.buffer as ArrayBuffer] });
    if (r.ok) return r.value;
    return { faces: 0, hint: 'UNAVAILABLE', message: r.error.code === HOST_ERRORS.MODEL.code ? r.error.message : '正在识别，请稍候' };
  }

  function pump(): void {
    if (inFlight || !waiting) return;
    const job = waiting;
    waiting = null;
    inFlight = true;
    void runGuide(job.image).then((g) => {
      inFlight = false;
      job.resolvers.forEach((r) => r(g));
      pump();
    });
  }

  return {
    async checkPhoto(image: Buffer, thresholds?: Partial<CheckThresholds>): Promise<CheckOutcome> {
      const started = performance.now();
      const copy = ownedCopy(image);
      const r = await stills.call('check-photo', { image: copy, thresholds: { ...defaults, ...thresholds } }, { transfer: [copy.buffer as ArrayBuffer] });
      if (!r.ok) {
        log.warn('check_failed', { code: r.error.code, ms: Math.round(performance.now() - started) });
        return { ok: false, faces: [], reasons: [{ code: r.error.code, message: r.error.message }], width: 0, height: 0, jpeg: null };
      }
      const v = r.value;
      const jpeg = v.jpeg ? Buffer.from(v.jpeg.buffer, v.jpeg.byteOffset, v.jpeg.byteLength) : null;
      log.info('checked', {
        ok: v.ok,
        faces: v.faces.length,
        reasons: v.reasons.map((x) => x.code),
        bytes: jpeg?.length ?? null,
        notHuman: v.notHuman.length, // a face-like detection set aside by the second look: watch for people rejected as pets
        ms: Math.round(performance.now() - started),
      });
      return { ok: v.ok, faces: v.faces, reasons: v.reasons, width: v.width, height: v.height, jpeg };
    },

    async detectFaces(image: Buffer): Promise<FaceBox[]> {
      const copy = ownedCopy(image);
      const r = await stills.call('detect-faces', { image: copy, thresholds: defaults }, { timeoutMs: timeouts.detect, transfer: [copy.buffer as ArrayBuffer] });
      if (!r.ok) throw new KioskFailure(r.error.code, r.error.message, r.error.retryable);
      return r.value;
    },

    guideFrame(image: Buffer): Promise<Guidance> {
      return new Promise((resolve) => {
        if (waiting) {
          waiting.image = image;
          waiting.resolvers.push(resolve);
        } else waiting = { image, resolvers: [resolve] };
        pump();
      });
    },

    async close(): Promise<void> {
      await Promise.all([stills.close(), live.close()]);
    },
  };
}
