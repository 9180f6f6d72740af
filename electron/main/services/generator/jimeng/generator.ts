// The Jimeng provider behind the Generator interface. Products map to req_keys as data (config):
//   时空拼图 puzzle   → jimeng_t2i_v40, the family's photos (≤ 6) as short-lived signed URLs
//                       (signedUrlFor, from the OSS share), one image per task (force_single);
//                       without object storage → documented fallback: the photos composed side by side
//                       into one JPEG and sent to jimeng_i2i_v30 as binary_data_base64;
//   富贵变身 makeover → jimeng_i2i_v30 with the photo as base64 and a background/outfit prompt.
// One task per variant slot, so slots arrive independently and the runner can stream them.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { KioskFailure } from '../../../../shared/result';
import { logger } from '../../../infra/log';
import type { CostGuard } from '../costGuard';
import type { GeneratedVariant, GenerateInput, Generator, VariantFailure } from '../types';
import { JimengClient, type RunOutcome } from './client';
import type { JimengConfig } from './config';
import { JimengError } from './errors';
import { buildPrompt, type PromptLibrary, type PromptMode } from './prompts';

const log = logger('jimeng.generator');

export interface JimengGeneratorOptions {
  config: JimengConfig;
  prompts: PromptLibrary;
  /** Shared client (one connection pool per kiosk); created from config when absent. */
  client?: JimengClient;
  /** Uploads a JPEG to a private object-storage prefix and returns a short-lived signed GET URL. */
  signedUrlFor?: (jpeg: Buffer) => Promise<string>;
  costGuard?: CostGuard;
  /** Goes into aigc_meta.producer_id as <kioskId>-<orderId>-<index>. */
  kioskId?: string;
  /** Called when a task exists (the idempotency key of this AI call), before its result is awaited. */
  onTask?: (info: { orderId: string; index: number; reqKey: string; taskId: string }) => void;
}

interface Plan {
  reqKey: string;
  mode: PromptMode;
  images: number;
  base: Record<string, unknown>;
}

/** Photos per request: Jimeng 4.0 works best with ≤ 6 references. */
const MAX_INPUTS = 6;

/** Kind Chinese text per failure class (the screen shows it; the code goes to the log). */
const MESSAGES = {
  input_audit: '照片或风格描述未通过内容审核，请换一张照片或换个风格再试（本次不收费）',
  auth: 'AI 生成服务暂时不可用，请联系工作人员',
  throttled: 'AI 服务繁忙，这张照片未能生成',
  resubmit: '这张照片未通过内容审核，未能生成',
  server: 'AI 服务暂时没有响应，这张照片未能生成',
  invalid: 'AI 服务未能处理这张照片',
  aborted: '已取消生成',
} as const;

export class JimengGenerator implements Generator {
  readonly name = 'jimeng';
  readonly client: JimengClient;
  private readonly ownsClient: boolean;
  /** Prepared inputs (signed URLs, composed image) per photo set: four slots upload once, not four times. */
  private readonly prepared = new Map<string, { at: number; plan: Promise<Plan> }>();

  constructor(private readonly opts: JimengGeneratorOptions) {
    this.ownsClient = !opts.client;
    this.client = opts.client ?? new JimengClient({ config: opts.config });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  async generate(input: GenerateInput, onVariant: (v: GeneratedVariant) => void): Promise<VariantFailure[]> {
    if (input.photos.length === 0) throw new KioskFailure('NO_PHOTOS', '还没有照片，请先拍照');
    const plan = await this.plan(input);
    const failures: VariantFailure[] = [];
    // Several slots in one call: a whole-request stop in one ends the others' waiting too.
    const local = new AbortController();
    const onAbort = () => local.abort(input.signal.reason);
    if (input.signal.aborted) local.abort(input.signal.reason);
    else input.signal.addEventListener('abort', onAbort, { once: true });
    const slotInput = { ...input, signal: local.signal };
    const stops: KioskFailure[] = [];
    try {
      await Promise.all(
        input.indices.map(async (index) => {
          const f = await this.one(slotInput, plan, index, onVariant).catch((e: unknown) => {
            if (!(e instanceof KioskFailure)) throw e;
            stops.push(e);
            local.abort(e);
            return null;
          });
          if (f) failures.push(f);
        }),
      );
    } finally {
      input.signal.removeEventListener('abort', onAbort);
    }
    if (stops[0]) throw stops[0];
    return failures;
  }

  private async one(input: GenerateInput, plan: Plan, index: number, onVariant: (v: GeneratedVariant) => void): Promise<VariantFailure | null> {
    const guard = this.opts.costGuard;
    const check = guard?.reserve(input.orderId);
    if (check && !check.ok) {
      if (check.scope === 'day') throw check.failure;
      return { index, code: check.failure.code, message: check.failure.message, retryable: false };
    }
    const seed = input.seed + index;
    const people = input.photos.reduce((n, p) => n + p.faces.length, 0);
    const prompt = buildPrompt(this.opts.prompts, {
      mode: plan.mode,
      styleId: input.style.id,
      outfitId: input.outfitId,
      people,
      images: plan.images,
      variant: index,
    });
    const body: Record<string, unknown> = { ...plan.base, prompt };
    if (plan.reqKey !== 'jimeng_t2i_v40') body.seed = seed; // 4.0 documents no seed
    const aigc = this.opts.config.aigc;
    const reqJson = {
      return_url: false,
      logo_info: { add_logo: false }, // the kiosk adds its own visible mark, placed where the operator set it
      aigc_meta: {
        producer_id: `${this.opts.kioskId ?? 'kiosk'}-${input.orderId}-${index}`.slice(0, 256),
        content_producer: aigc.contentProducer,
        content_propagator: aigc.contentPropagator,
      },
    };
    let outcome: RunOutcome;
    let created = 0;
    let lost = 0; // submits whose answer never came: maybe a task, maybe billed
    try {
      outcome = await this.client.run(plan.reqKey, body, {
        signal: input.signal,
        reqJson,
        onSubmitted: (taskId) => {
          created++;
          guard?.recordCall(input.orderId);
          this.opts.onTask?.({ orderId: input.orderId, index, reqKey: plan.reqKey, taskId });
        },
        onLostSubmit: () => {
          lost++;
          guard?.recordCall(input.orderId);
        },
      });
    } catch (e) {
      // A task we stopped waiting for (customer left, timeout) still finishes and is billed: count it.
      const kind = e instanceof JimengError ? e.kind : 'server';
      guard?.settle(input.orderId, (created > 0 && (kind === 'aborted' || kind === 'server') ? 1 : 0) + lost);
      return this.failure(input, index, e);
    }
    let image: Buffer;
    try {
      image = outcome.binaryDataBase64[0]
        ? Buffer.from(outcome.binaryDataBase64[0], 'base64')
        : await this.client.download(outcome.imageUrls[0]!, input.signal);
      await sharp(image).metadata(); // a result that does not decode is no result
    } catch (e) {
      guard?.settle(input.orderId, outcome.binaryDataBase64.length + outcome.imageUrls.length + lost);
      return this.failure(input, index, e);
    }
    guard?.settle(input.orderId, Math.max(1, outcome.binaryDataBase64.length + outcome.imageUrls.length) + lost);
    log.info('variant', { orderId: input.orderId, index, reqKey: plan.reqKey, taskId: outcome.taskId, ms: outcome.elapsedMs, retries: outcome.retries });
    if (!input.signal.aborted) onVariant({ index, seed, image });
    return null;
  }

  /** Whole-request stops throw KioskFailure; everything else is this slot's failure. */
  private failure(input: GenerateInput, index: number, e: unknown): VariantFailure {
    const je = e instanceof JimengError ? e : new JimengError('server', 'UNEXPECTED', (e as Error)?.message ?? String(e));
    log.warn('variant-failed', { orderId: input.orderId, index, kind: je.kind, code: je.code, httpStatus: je.httpStatus, requestId: je.requestId });
    if (je.kind === 'input_audit') throw new KioskFailure('AI_INPUT_REJECTED', MESSAGES.input_audit, false);
    if (je.kind === 'auth') throw new KioskFailure('AI_UNAVAILABLE', MESSAGES.auth, true);
    if (je.kind === 'aborted' || input.signal.aborted) return { index, code: 'ABORTED', message: MESSAGES.aborted, retryable: true };
    return { index, code: `JIMENG_${je.code}`, message: MESSAGES[je.kind], retryable: je.kind !== 'invalid' };
  }

  private plan(input: GenerateInput): Promise<Plan> {
    const photos = input.photos.slice(0, MAX_INPUTS);
    const h = createHash('sha256');
    h.update(input.product.id);
    h.update(input.model ?? 'standard');
    for (const p of photos) h.update(p.jpeg);
    const key = h.digest('hex');
    const now = Date.now();
    // Signed URLs are short-lived: reuse a preparation only within a few minutes.
    for (const [k, v] of this.prepared) if (now - v.at > 5 * 60_000) this.prepared.delete(k);
    const hit = this.prepared.get(key);
    if (hit) return hit.plan;
    const plan = this.makePlan(input.product.id, photos, input.model === 'enhanced');
    this.prepared.set(key, { at: now, plan });
    plan.catch(() => this.prepared.delete(key));
    return plan;
  }

  private async makePlan(product: GenerateInput['product']['id'], photos: GenerateInput['photos'], enhanced = false): Promise<Plan> {
    // 尊享: the same plan with the enhanced section's req_keys and sizes (config jimeng.enhanced).
    const e = this.opts.config.enhanced;
    const reqKeys = enhanced ? e.reqKeys : this.opts.config.reqKeys;
    const output = enhanced ? { ...this.opts.config.output, t2iWidth: e.t2iWidth, t2iHeight: e.t2iHeight, i2iWidth: e.i2iWidth, i2iHeight: e.i2iHeight, scale: e.scale } : this.opts.config.output;
    const i2i = (mode: PromptMode, jpeg: Buffer): Plan => ({
      reqKey: mode === 'makeover' ? reqKeys.makeover : reqKeys.puzzleFallback,
      mode,
      images: 1,
      base: { binary_data_base64: [jpeg.toString('base64')], scale: output.scale, width: output.i2iWidth, height: output.i2iHeight },
    });
    if (product === 'makeover') return i2i('makeover', photos[0]!.jpeg);
    if (this.opts.signedUrlFor) {
      try {
        const urls = await Promise.all(photos.map((p) => this.opts.signedUrlFor!(p.jpeg)));
        return {
          reqKey: reqKeys.puzzle,
          mode: 'puzzle',
          images: urls.length,
          base: { image_urls: urls, force_single: true, scale: output.scale, width: output.t2iWidth, height: output.t2iHeight },
        };
      } catch (e) {
        // Object storage down: the composed-image path still gives the family its picture.
        log.warn('signed-url-failed-using-composed-fallback', { error: e as Error });
      }
    }
    // A single photo needs no composing; several are laid out in a grid the model can read.
    return i2i('puzzleComposed', photos.length === 1 ? photos[0]!.jpeg : await composePhotos(photos.map((p) => p.jpeg)));
  }
}

/**
 * The no-object-storage fallback for 时空拼图: the photos side by side (≤ 3 per row, at most 2 rows)
 * on a neutral background, as one JPEG within jimeng_i2i_v30's limits (≤ 4.7 MB, ratio ≤ 3).
 */
export async function composePhotos(jpegs: Buffer[]): Promise<Buffer> {
  const n = Math.min(MAX_INPUTS, jpegs.length);
  const cols = n <= 3 ? n : Math.ceil(n / 2);
  const rows = n <= 3 ? 1 : 2;
  const cellW = 600;
  const cellH = 800;
  const layers = await Promise.all(
    jpegs.slice(0, n).map(async (j, i) => {
      const { data, info } = await sharp(j, { failOn: 'none' })
        .rotate()
        .resize(cellW, cellH, { fit: 'inside' })
        .toBuffer({ resolveWithObject: true });
      const col = i % cols;
      const row = Math.floor(i / cols);
      return { input: data, left: col * cellW + Math.floor((cellW - info.width) / 2), top: row * cellH + Math.floor((cellH - info.height) / 2) };
    }),
  );
  return sharp({ create: { width: cols * cellW, height: rows * cellH, channels: 3, background: '#d8d2c8' } })
    .composite(layers)
    .jpeg({ quality: 90 })
    .toBuffer();
}
