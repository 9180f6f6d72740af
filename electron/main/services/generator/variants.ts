// "Pick the best of four": runs any Generator for N variant slots in parallel (within a
// concurrency limit), passes each result through the quality gate as it arrives, and gives every
// slot that failed or was rejected exactly one supplementary request. Provider-agnostic: the
// order service uses it with the local compositor and with Jimeng alike.
import { KioskFailure } from '../../../shared/result';
import { logger } from '../../infra/log';
import type { GeneratedVariant, GenerateInput, Generator, VariantFailure } from './types';

const log = logger('generator.variants');

export interface VariantGate {
  (image: Buffer, family: { faces: number; minFacePx: number }): Promise<{ ok: boolean; reason?: string }>;
}

export interface RunVariantsOptions {
  generator: Generator;
  input: Omit<GenerateInput, 'indices' | 'signal'>;
  count: number; // 4
  /** The slots to fill (default 0 … count-1): after payment the try's slot is already there. */
  indices?: number[];
  /** A supplementary request per failed slot (default true); the free try has none (≤ 1 billed image). */
  supplementary?: boolean;
  /** Parallel requests; default 4 (the configured provider concurrency). */
  concurrency?: number;
  signal: AbortSignal;
  /** The quality gate; absent = accept all. */
  gate?: VariantGate;
  /** Called as each ACCEPTED variant arrives. */
  onVariant: (v: GeneratedVariant) => void;
  onRejected?: (index: number, reason: string) => void;
}

export interface RunVariantsResult {
  /** Slot indices delivered through onVariant, in arrival order. */
  delivered: number[];
  /** One entry per slot that ended without a variant (after its supplementary request). */
  failures: VariantFailure[];
  /** Generator calls made (one slot each). */
  requests: number;
  /** Supplementary requests among them. */
  retries: number;
  /** Variants the quality gate dropped. */
  rejected: number;
}

export const DEFAULT_VARIANT_CONCURRENCY = 4;

/** Seeds of supplementary requests are shifted by this much so a rejected picture is not reproduced. */
const SUPPLEMENT_SEED_STRIDE = 1000;

interface Job {
  index: number;
  attempt: 0 | 1;
}

/** What the gate compares a result with: total faces in the input photos and the smallest face side. */
export function familyOf(photos: GenerateInput['photos']): { faces: number; minFacePx: number } {
  let faces = 0;
  let minFacePx = Number.POSITIVE_INFINITY;
  for (const p of photos) {
    faces += p.faces.length;
    for (const f of p.faces) minFacePx = Math.min(minFacePx, Math.min(f.w, f.h));
  }
  return { faces, minFacePx: Number.isFinite(minFacePx) ? Math.round(minFacePx) : 0 };
}

export async function runVariants(opts: RunVariantsOptions): Promise<RunVariantsResult> {
  const count = Math.max(0, Math.floor(opts.count));
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_VARIANT_CONCURRENCY));
  const family = familyOf(opts.input.photos);
  const result: RunVariantsResult = { delivered: [], failures: [], requests: 0, retries: 0, rejected: 0 };
  // One controller for every call of this run: a whole-request stop (or the caller's abort) ends them all.
  const run = new AbortController();
  const onOuterAbort = () => run.abort(opts.signal.reason);
  if (opts.signal.aborted) run.abort(opts.signal.reason);
  else opts.signal.addEventListener('abort', onOuterAbort, { once: true });

  const slots = opts.indices ?? Array.from({ length: count }, (_, index) => index);
  const queue: Job[] = slots.map((index) => ({ index, attempt: 0 as const }));
  const done = new Set<number>(); // slots with an accepted variant
  const lastFailure = new Map<number, VariantFailure>();
  let stop: unknown = null; // the whole-request failure, once one happened

  // A listener that throws (e.g. a full disk while saving the preview) must not stall the run.
  const safely = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      log.error('listener-threw', { orderId: opts.input.orderId, listener: what, error: e as Error });
    }
  };

  const failSlot = (job: Job, failure: VariantFailure) => {
    lastFailure.set(job.index, failure);
    if (job.attempt === 0 && opts.supplementary !== false && !run.signal.aborted) queue.push({ index: job.index, attempt: 1 });
  };

  const runJob = async (job: Job): Promise<void> => {
    result.requests++;
    if (job.attempt === 1) result.retries++;
    const seed = opts.input.seed + job.attempt * SUPPLEMENT_SEED_STRIDE;
    const gated: Promise<void>[] = [];
    let arrived = false;
    let settled = false;
    const onVariant = (v: GeneratedVariant) => {
      // Late, duplicate or foreign results are dropped: a slot is filled at most once.
      if (settled || arrived || v.index !== job.index || run.signal.aborted) return;
      arrived = true;
      gated.push(
        (async () => {
          let verdict: { ok: boolean; reason?: string };
          try {
            verdict = opts.gate ? await opts.gate(v.image, family) : { ok: true };
          } catch (e) {
            // A detector that cannot look at the picture cannot vouch for it: never show an unchecked face.
            verdict = { ok: false, reason: `GATE_ERROR: ${(e as Error).message ?? String(e)}` };
          }
          if (run.signal.aborted) return;
          if (verdict.ok) {
            done.add(job.index);
            result.delivered.push(job.index);
            lastFailure.delete(job.index);
            safely('onVariant', () => opts.onVariant(v));
          } else {
            const reason = verdict.reason ?? 'QUALITY_REJECTED';
            result.rejected++;
            log.info('variant-rejected', { orderId: opts.input.orderId, index: job.index, attempt: job.attempt, reason });
            safely('onRejected', () => opts.onRejected?.(job.index, reason));
            failSlot(job, { index: job.index, code: 'QUALITY_REJECTED', message: '这张照片效果不理想，已为您重新生成', retryable: true });
          }
        })(),
      );
    };
    let failures: VariantFailure[] = [];
    try {
      failures = await opts.generator.generate({ ...opts.input, seed, indices: [job.index], signal: run.signal }, onVariant);
    } catch (e) {
      if (e instanceof KioskFailure) {
        // Input audit failure and the like: no other request can succeed either.
        if (stop === null) stop = e;
        run.abort(e);
        settled = true;
        return;
      }
      if (run.signal.aborted) {
        settled = true;
        return;
      }
      failures = [{ index: job.index, code: 'GENERATOR_ERROR', message: '生成服务暂时不可用', retryable: true }];
      log.warn('generator-threw', { orderId: opts.input.orderId, index: job.index, error: e as Error });
    }
    settled = true;
    await Promise.all(gated);
    if (arrived) return; // accepted or rejected: handled by the gate branch
    if (run.signal.aborted) return;
    const own = failures.find((f) => f.index === job.index);
    failSlot(job, own ?? { index: job.index, code: 'MISSING', message: '生成结果缺失', retryable: true });
  };

  try {
    await new Promise<void>((resolve) => {
      let inFlight = 0;
      const pump = () => {
        while (inFlight < concurrency && queue.length > 0 && !run.signal.aborted) {
          const job = queue.shift()!;
          if (done.has(job.index)) continue;
          inFlight++;
          void runJob(job).finally(() => {
            inFlight--;
            pump();
          });
        }
        if (inFlight === 0) resolve();
      };
      pump();
    });
  } finally {
    opts.signal.removeEventListener('abort', onOuterAbort);
  }

  if (stop !== null) throw stop;
  for (const index of slots) {
    if (done.has(index)) continue;
    result.failures.push(
      lastFailure.get(index) ??
        (run.signal.aborted
          ? { index, code: 'ABORTED', message: '已取消生成', retryable: true }
          : { index, code: 'MISSING', message: '生成结果缺失', retryable: true }),
    );
  }
  log.info('variants-done', {
    orderId: opts.input.orderId,
    generator: opts.generator.name,
    delivered: result.delivered.length,
    requests: result.requests,
    retries: result.retries,
    rejected: result.rejected,
    failures: result.failures.map((f) => f.code),
  });
  return result;
}
