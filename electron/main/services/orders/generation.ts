// Generation, separate from capture (session.ts): try, then buy (issue 15).
//  - Before payment: ONE watermarked try (slot 0 of a round), no supplementary request, so a
//    family that does not pay costs at most one billed image. The kiosk's free cap (freeQuota.ts)
//    is asked first; when it is spent no try is made and the family may still buy.
//  - After payment of a 4-picture package: the other slots of a new round (尊享: all four from the
//    enhanced model), a supplementary request per failed slot; then the family picks one (and the
//    微动态 effect) or, if nobody does, the try they saw is taken after sale.pickTimeoutSec.
// Crash safety: each round's slots are rows written in the same transaction as the state change,
// before the AI is asked; a restart finds a paid order whose round is not finished and runs the
// slots still pending (OrderService.afterPaid, from the reconciler).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { MotionEffect, OrderView, Package } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { GeneratedVariant } from '../generator/types';
import { MOTION_LAYER_KIND, motionLayerPaths } from '../motion/layers';
import { tx } from '../store/db';
import type { OrderDeps } from './context';
import { FreeQuota } from './freeQuota';
import { parseFaces, type OrderRow } from './repo';
import { transition } from './stateMachine';

const log = logger('generation');

/** The try's slot; after payment a standard package keeps it as one of its four. */
const TRY_SLOT = 0;
/** The unwatermarked screen copy of a paid variant (the pick screen after payment). */
const PAID_PREVIEW_SIDE = 1024;

export interface GenerationHooks {
  changed(orderId: string): Promise<OrderView>;
  /** The family's picture is chosen: deliver it. */
  deliver(orderId: string): void;
  /** Nothing could be made for a paid order: give the money back. */
  refund(orderId: string, reason: string): Promise<void>;
}

export class GenerationFlow {
  private readonly running = new Map<string, AbortController>();
  private readonly pickTimers = new Map<string, NodeJS.Timeout>();
  readonly free: FreeQuota;
  private stopped = false;

  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: GenerationHooks,
  ) {
    this.free = new FreeQuota(deps.db, deps.config);
  }

  /** generate:start — the one free, watermarked try (or, with the free cap spent, nothing before payment). */
  async startTry(orderId: string): Promise<OrderView> {
    const o = this.order(orderId);
    if (o.state !== 'checked') {
      if (o.state === 'generating' || o.state === 'generated') return this.hooks.changed(orderId); // a double tap
      throw new KioskFailure('PHOTOS_NOT_READY', '请先拍好照片');
    }
    // A try that failed may be tried again only while nothing was billed for this order.
    if (o.generation_round > 0 && (this.deps.aiBudget?.usage?.(orderId).images ?? 0) > 0) {
      this.deps.repo.update(orderId, { free_blocked: 'FREE_USED' });
      return this.hooks.changed(orderId);
    }
    const verdict = o.generation_round > 0 ? ({ ok: true } as const) : this.free.check();
    if (!verdict.ok) {
      this.deps.repo.update(orderId, { free_blocked: verdict.code, generation_message: verdict.message });
      log.info('try.skipped', { orderId, code: verdict.code });
      return this.hooks.changed(orderId);
    }
    // Throws a kind KioskFailure when the day's AI budget is spent: said before any request is made.
    this.deps.aiBudget?.startGeneration(orderId);
    const round = o.generation_round + 1;
    transition(this.deps.db, orderId, 'generating', {
      from: ['checked'],
      reason: 'try',
      set: { generation_round: round, generation_status: 'running', generation_message: null, picked_index: null, free_blocked: null },
      also: () => {
        if (o.generation_round === 0) this.free.take(orderId);
        this.pendingSlots(o, round, [TRY_SLOT]);
      },
    });
    this.launch(orderId, round, { indices: [TRY_SLOT], model: 'standard', supplementary: false, watermark: true });
    return this.hooks.changed(orderId);
  }

  /** "换一批" before payment would bill more images for a family that may not buy: after payment there are four. */
  async regenerate(orderId: string): Promise<OrderView> {
    this.order(orderId);
    throw new KioskFailure('REGENERATE_AFTER_PAYMENT', '付款后会再为您生成三张，从四张中挑选', false);
  }

  /** Whether a paid order still needs its variants made or its picture chosen before delivery. */
  needsUnlock(orderId: string): boolean {
    const o = this.order(orderId);
    if (o.state !== 'paid') return false;
    const pkg = this.pkg(o);
    if (!pkg || pkg.variants <= 1) return o.picked_index === null && this.readySlots(o.id, o.generation_round).length === 0;
    return o.picked_index === null || this.deps.repo.variants(orderId, o.generation_round).length < pkg.variants;
  }

  /**
   * After payment: a new round of `variants` slots (the try's slot carried over for the standard
   * model), the pending ones generated, then the family's pick. `resumed` (a restart: the family's
   * screen is gone) takes the try's slot at once instead of waiting for a pick.
   */
  unlock(orderId: string, resumed = false): void {
    if (this.stopped) return;
    let o = this.order(orderId);
    const pkg = this.pkg(o);
    if (o.state !== 'paid' || !pkg) return;
    const want = pkg.variants;
    if (want <= 1) {
      // A 1-picture package with no try (free cap spent): make the one picture now.
      if (this.readySlots(orderId, o.generation_round).length > 0) {
        if (o.picked_index === null) this.deps.repo.update(orderId, { picked_index: this.readySlots(orderId, o.generation_round)[0]! });
        this.hooks.deliver(orderId);
        return;
      }
    }
    let rows = this.deps.repo.variants(orderId, o.generation_round);
    if (rows.length < want || (want <= 1 && !rows.some((v) => v.status === 'pending'))) {
      const prev = o.generation_round;
      const tried = this.deps.repo.variants(orderId, prev).find((v) => v.idx === TRY_SLOT && v.status === 'ready');
      const keep = pkg.model === 'standard' && tried ? tried : null;
      const round = prev + 1;
      const slots = Array.from({ length: Math.max(1, want) }, (_, i) => i).filter((i) => !(keep && i === TRY_SLOT));
      tx(this.deps.db, () => {
        this.deps.repo.update(orderId, { generation_round: round, generation_status: 'running', generation_message: null, picked_index: null });
        this.pendingSlots(o, round, slots);
        if (keep) this.deps.repo.upsertVariant({ ...keep, round });
      });
      o = this.order(orderId);
      rows = this.deps.repo.variants(orderId, round);
    }
    const pending = rows.filter((v) => v.status === 'pending').map((v) => v.idx);
    if (pending.length === 0) {
      void this.afterUnlock(orderId, resumed);
      return;
    }
    if (this.running.has(orderId)) return;
    this.launch(orderId, o.generation_round, { indices: pending, model: pkg.model, supplementary: true, watermark: false }, () => this.afterUnlock(orderId, resumed));
  }

  /** The paid round is settled: wait for the family's pick (or take the try), or refund when nothing came. */
  private async afterUnlock(orderId: string, resumed: boolean): Promise<void> {
    const o = this.order(orderId);
    if (o.state !== 'paid') return;
    const ready = this.readySlots(orderId, o.generation_round);
    if (ready.length === 0) {
      log.warn('unlock.nothing', { orderId });
      tx(this.deps.db, () => {
        transition(this.deps.db, orderId, 'delivering', { from: ['paid'], reason: 'no picture' });
        transition(this.deps.db, orderId, 'delivery_failed', { reason: 'no picture' });
        transition(this.deps.db, orderId, 'refund_pending', { reason: 'no picture', set: { notice: '很抱歉，这次没有生成成功，款项将原路退回' } });
      });
      await this.hooks.changed(orderId).catch(() => undefined);
      await this.hooks.refund(orderId, 'generation failed');
      return;
    }
    if (o.picked_index !== null) return this.hooks.deliver(orderId);
    const fallback = ready.includes(TRY_SLOT) ? TRY_SLOT : ready[0]!;
    if (resumed || (this.pkg(o)?.variants ?? 1) <= 1) {
      await this.choose(orderId, fallback, null, 'restart');
      return;
    }
    if (this.pickTimers.has(orderId)) return;
    const timer = setTimeout(() => {
      this.pickTimers.delete(orderId);
      void this.choose(orderId, fallback, null, 'timeout').catch((e) => log.warn('pick.timeout_failed', { orderId, error: e as Error }));
    }, this.deps.config.sale.pickTimeoutSec * 1000);
    timer.unref();
    this.pickTimers.set(orderId, timer);
  }

  /** order:pick-variant — before payment (the old four-grid) or, after payment, the family's choice. */
  async pick(orderId: string, index: number, effect: MotionEffect | null = null): Promise<OrderView> {
    const o = this.order(orderId);
    if (o.state === 'paid') {
      await this.choose(orderId, index, effect, 'family');
      return this.hooks.changed(orderId);
    }
    if (o.state === 'picked' && o.picked_index === index) return this.hooks.changed(orderId);
    const v = this.deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === index);
    if (!v || v.status !== 'ready') throw new KioskFailure('VARIANT_UNAVAILABLE', '请选择一张已生成的照片');
    transition(this.deps.db, orderId, 'picked', { from: ['generated'], set: { picked_index: index } });
    return this.hooks.changed(orderId);
  }

  private async choose(orderId: string, index: number, effect: MotionEffect | null, by: string): Promise<void> {
    const o = this.order(orderId);
    if (o.state !== 'paid') {
      if (o.picked_index === index) return; // already delivering this one (a double tap)
      throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续');
    }
    if (o.picked_index !== null) return;
    const v = this.deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === index);
    if (!v || v.status !== 'ready') throw new KioskFailure('VARIANT_UNAVAILABLE', '请选择一张已生成的照片');
    this.deps.repo.update(orderId, { picked_index: index, motion_effect: effect ?? o.motion_effect });
    const t = this.pickTimers.get(orderId);
    if (t) clearTimeout(t);
    this.pickTimers.delete(orderId);
    log.info('pick.paid', { orderId, index, by });
    this.hooks.deliver(orderId);
  }

  /** Variant slot rows, pending, written with the state change that leads to the AI call. */
  private pendingSlots(o: OrderRow, round: number, slots: number[]): void {
    for (const i of slots) {
      this.deps.repo.upsertVariant({
        order_id: o.id,
        round,
        idx: i,
        status: 'pending',
        seed: o.seed + round * 100 + i,
        result_asset_id: null,
        preview_asset_id: null,
      });
    }
  }

  private readySlots(orderId: string, round: number): number[] {
    return this.deps.repo
      .variants(orderId, round)
      .filter((v) => v.status === 'ready')
      .map((v) => v.idx);
  }

  private launch(
    orderId: string,
    round: number,
    plan: { indices: number[]; model: Package['model']; supplementary: boolean; watermark: boolean },
    then?: () => Promise<void>,
  ): void {
    const ctl = new AbortController();
    this.running.set(orderId, ctl);
    void this.runRound(orderId, round, plan, ctl.signal)
      .then(() => (ctl.signal.aborted ? undefined : then?.()))
      .catch((e) => log.error('round.crashed', { orderId, error: e as Error }))
      .finally(() => {
        if (this.running.get(orderId) === ctl) this.running.delete(orderId);
      });
  }

  private async runRound(
    orderId: string,
    round: number,
    plan: { indices: number[]; model: Package['model']; supplementary: boolean; watermark: boolean },
    signal: AbortSignal,
  ): Promise<void> {
    const o = this.order(orderId);
    const product = this.deps.catalog().products.find((p) => p.id === o.product_id);
    const style = this.deps.catalog().styles.find((s) => s.id === o.style_id);
    const started = Date.now();
    const pending: Promise<void>[] = [];
    // The 微动态's layers are made after all the round's pictures are on screen (they would compete
    // with the next picture for the CPU): for the try (a package with a living photo may follow) and
    // for a paid round whose package has one.
    const layerJobs: (() => Promise<void>)[] = [];
    const wantLayers = plan.watermark || this.deps.catalog().packages.find((p) => p.id === o.package_id)?.motion === true;
    const paid = !plan.watermark;
    try {
      if (!product || !style) throw new KioskFailure('PRODUCT_UNAVAILABLE', '该项目暂不可用，请重新选择');
      const photos = this.deps.repo
        .photos(orderId)
        .filter((p) => p.ok === 1)
        .map((p) => {
          const asset = this.deps.repo.asset(p.asset_id)!;
          return { jpeg: readFileSync(asset.path), faces: parseFaces(p.faces_json), width: p.width, height: p.height };
        });
      const familyFaces = photos.reduce((n, p) => n + p.faces.length, 0);
      const gate = this.deps.gate;
      const result = await this.deps.runVariants({
        generator: this.deps.generator,
        input: { orderId, product, style, outfitId: o.outfit_id, photos, seed: o.seed + round * 100, model: plan.model },
        count: plan.indices.length,
        indices: plan.indices,
        supplementary: plan.supplementary,
        signal,
        gate: gate ? (img) => gate(img, { faces: familyFaces, minFacePx: 40 }) : undefined,
        onVariant: (v) => {
          pending.push(this.saveVariant(orderId, round, v.index, v.seed, v.image, plan.watermark));
          const layers = v.layers;
          if (layers && wantLayers) layerJobs.push(() => this.saveMotionLayers(orderId, this.resultPath(orderId, round, v.index), layers));
        },
        onRejected: (index, reason) => log.info('variant.rejected', { orderId, index, reason }),
      });
      await Promise.all(pending);
      if (signal.aborted) return;
      // A paid round's layers are there before the family can pick (its living photo starts then);
      // the try's are made after it is shown, beside the round: paying takes longer than they do.
      if (paid) for (const job of layerJobs) await job();
      for (const v of this.deps.repo.variants(orderId, round)) {
        if (v.status === 'pending') this.deps.repo.upsertVariant({ ...v, status: 'failed' });
      }
      const ready = this.readySlots(orderId, round).length;
      log.info('generation.done', { orderId, round, paid, ready, model: plan.model, requests: result.requests, retries: result.retries, rejected: result.rejected, ms: Date.now() - started });
      if (paid) this.deps.repo.update(orderId, { generation_status: 'done' });
      else if (ready > 0) transition(this.deps.db, orderId, 'generated', { from: ['generating'], set: { generation_status: 'done', picked_index: TRY_SLOT } });
      else this.failTry(orderId, '这次没有生成成功，请再试一次（不收费）');
      if (!paid && ready > 0) {
        // Not part of the round: paying must not wait for them (a paid round starts when this one is over).
        void (async () => {
          for (const job of layerJobs) await job();
        })();
      }
    } catch (e) {
      await Promise.allSettled(pending);
      if (signal.aborted) return;
      const msg = e instanceof KioskFailure ? e.message : '这次没有生成成功，请再试一次（不收费）';
      log.warn('generation.failed', { orderId, round, paid, code: e instanceof KioskFailure ? e.code : 'INTERNAL', error: e as Error });
      if (paid) {
        for (const v of this.deps.repo.variants(orderId, round)) {
          if (v.status === 'pending') this.deps.repo.upsertVariant({ ...v, status: 'failed' });
        }
        this.deps.repo.update(orderId, { generation_status: 'done', generation_message: msg });
      } else this.failTry(orderId, msg);
    }
    await this.hooks.changed(orderId).catch(() => undefined);
  }

  private failTry(orderId: string, message: string): void {
    const o = this.order(orderId);
    if (o.state !== 'generating') return;
    this.deps.aiBudget?.forgiveGeneration(orderId);
    // Back to checked: the family may try again for free (once nothing was billed) or buy.
    transition(this.deps.db, orderId, 'checked', {
      from: ['generating'],
      reason: 'try failed',
      set: { generation_status: 'failed', generation_message: message },
      also: () => {
        if ((this.deps.aiBudget?.usage?.(orderId).images ?? 0) === 0) this.free.forgive(orderId);
      },
    });
  }

  private resultPath(orderId: string, round: number, index: number): string {
    return join(this.deps.paths.results, orderId, `r${round}-v${index}.jpg`);
  }

  private async saveVariant(orderId: string, round: number, index: number, seed: number, image: Buffer, watermark: boolean): Promise<void> {
    const dir = join(this.deps.paths.results, orderId);
    mkdirSync(dir, { recursive: true });
    const resultPath = this.resultPath(orderId, round, index);
    const previewPath = join(dir, `r${round}-v${index}-preview.jpg`);
    writeFileAtomic(resultPath, image);
    // Paid: the screen copy is clean (the family has bought the picture); before payment it is watermarked.
    const preview = watermark
      ? await this.deps.watermarkPreview(image)
      : await sharp(image, { failOn: 'none' }).rotate().resize(PAID_PREVIEW_SIDE, PAID_PREVIEW_SIDE, { fit: 'inside' }).jpeg({ quality: 80 }).toBuffer();
    writeFileSync(previewPath, preview, { mode: 0o600 });
    this.deps.db.transaction(() => {
      const result = this.deps.repo.addAsset(orderId, 'result', resultPath, 'image/jpeg');
      const prev = this.deps.repo.addAsset(orderId, 'preview', previewPath, 'image/jpeg');
      this.deps.repo.upsertVariant({
        order_id: orderId,
        round,
        idx: index,
        status: 'ready',
        seed,
        result_asset_id: result.id,
        preview_asset_id: prev.id,
      });
    })();
    await this.hooks.changed(orderId).catch(() => undefined);
  }

  /** The layers the 微动态 moves (the scene) and holds still (the people), beside the result. */
  private async saveMotionLayers(orderId: string, resultPath: string, layers: NonNullable<GeneratedVariant['layers']>): Promise<void> {
    try {
      const l = await layers();
      const paths = motionLayerPaths(resultPath);
      writeFileSync(paths.stillMask, l.stillMask, { mode: 0o600 });
      writeFileSync(paths.scene, l.scene, { mode: 0o600 });
      this.deps.db.transaction(() => {
        this.deps.repo.addAsset(orderId, MOTION_LAYER_KIND, paths.stillMask, 'image/png');
        this.deps.repo.addAsset(orderId, MOTION_LAYER_KIND, paths.scene, 'image/jpeg');
      })();
    } catch (e) {
      // The clip then moves the whole picture as before; the photo itself is unaffected.
      log.warn('motion-layers.failed', { orderId, error: e as Error });
    }
  }

  /** The family walked away: stop the try (paid rounds finish: the family has paid for them). */
  abort(orderId: string): void {
    const o = this.deps.repo.order(orderId);
    if (o && o.state !== 'paid') this.running.get(orderId)?.abort();
  }

  abortAll(): void {
    this.stopped = true;
    for (const c of this.running.values()) c.abort();
    for (const t of this.pickTimers.values()) clearTimeout(t);
    this.pickTimers.clear();
  }

  private pkg(o: OrderRow): Package | undefined {
    return this.deps.catalog().packages.find((p) => p.id === o.package_id);
  }

  private order(orderId: string): OrderRow {
    const o = this.deps.repo.order(orderId);
    if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');
    return o;
  }
}
