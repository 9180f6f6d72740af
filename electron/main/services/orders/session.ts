// The customer's path before payment: consent, product and style, photos, generation, pick.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Guidance, Lang, OrderView, ProductId, UploadLink } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { OrderDeps } from './context';
import { newId, parseFaces } from './repo';
import { tx } from '../store/db';
import { transition } from './stateMachine';
import { buildView, qrSvg } from './view';

const log = logger('session');

const VARIANTS = 4;
/** Phone upload links for absent relatives live this long. */
const UPLOAD_TTL_SEC = 15 * 60;
/** The largest camera still or upload we accept (decoded bytes). */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export class SessionFlow {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: OrderDeps) {}

  view(orderId: string): Promise<OrderView> {
    return buildView(this.deps, orderId);
  }

  async changed(orderId: string): Promise<OrderView> {
    const v = await this.view(orderId);
    this.deps.emit('order:changed', v);
    return v;
  }

  async acceptConsent(lang: Lang): Promise<OrderView> {
    const o = this.deps.repo.createOrder(lang);
    // PIPL: the explicit consent is recorded with its time before any capture.
    this.deps.repo.audit('customer', 'consent', o.id, { lang });
    log.info('order.created', { orderId: o.id });
    return this.view(o.id);
  }

  async chooseProduct(orderId: string, productId: ProductId, styleId: string, outfitId: string | null): Promise<OrderView> {
    const { products, styles } = this.deps.catalog();
    const product = products.find((p) => p.id === productId && p.enabled);
    const style = styles.find((s) => s.id === styleId && s.enabled);
    if (!product) throw new KioskFailure('PRODUCT_UNAVAILABLE', '该项目暂不可用，请选择其他项目');
    if (!style || !style.products.includes(productId)) throw new KioskFailure('STYLE_UNAVAILABLE', '该风格暂不可用，请选择其他风格');
    if (outfitId && !style.outfits.some((o) => o.id === outfitId)) throw new KioskFailure('OUTFIT_UNAVAILABLE', '该服装暂不可用');
    const o = this.order(orderId);
    if (!['created', 'checked'].includes(o.state)) throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续');
    this.deps.repo.update(orderId, { product_id: productId, style_id: styleId, outfit_id: outfitId });
    this.refreshChecked(orderId);
    return this.changed(orderId);
  }

  async guideFrame(imageB64: string): Promise<Guidance> {
    return this.deps.checks.guideFrame(decodeImage(imageB64));
  }

  /** A still from the kiosk camera or a relative's phone: checked on-device, kept only compressed and stripped. */
  async addPhoto(orderId: string, image: Buffer, source: 'camera' | 'phone'): Promise<OrderView> {
    const o = this.order(orderId);
    if (!['created', 'checked'].includes(o.state)) throw new KioskFailure('BAD_STATE', '现在不能再添加照片了');
    const max = this.product(o.product_id)?.maxPhotos ?? 6;
    if (this.deps.repo.photos(orderId).length >= max) {
      throw new KioskFailure('TOO_MANY_PHOTOS', `最多可以拍 ${max} 张，请先删除一张`);
    }
    const outcome = await this.deps.checks.checkPhoto(image);
    if (!outcome.jpeg) {
      const r = outcome.reasons[0];
      throw new KioskFailure(r?.code ?? 'UNREADABLE', r?.message ?? '无法读取这张照片，请重新拍摄');
    }
    const photoId = newId('pho');
    const dir = join(this.deps.paths.originals, orderId);
    const path = join(dir, `${photoId}.jpg`);
    writeFileAtomic(path, outcome.jpeg);
    try {
      // Checked again inside the write transaction: photos that arrive at once (phone and camera)
      // each passed the first check while the others were still being looked at.
      tx(this.deps.db, () => {
        const now = this.order(orderId);
        if (!['created', 'checked'].includes(now.state)) throw new KioskFailure('BAD_STATE', '现在不能再添加照片了');
        if (this.deps.repo.photos(orderId).length >= max) throw new KioskFailure('TOO_MANY_PHOTOS', `最多可以拍 ${max} 张，请先删除一张`);
        const asset = this.deps.repo.addAsset(orderId, 'original', path, 'image/jpeg');
        this.deps.repo.addPhoto({
          id: photoId,
          order_id: orderId,
          source,
          asset_id: asset.id,
          ok: outcome.ok ? 1 : 0,
          faces_json: JSON.stringify(outcome.faces),
          reasons_json: JSON.stringify(outcome.reasons),
          width: outcome.width,
          height: outcome.height,
        });
      });
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
    this.refreshChecked(orderId);
    log.info('photo.added', { orderId, source, ok: outcome.ok, faces: outcome.faces.length, reasons: outcome.reasons.map((r) => r.code) });
    const view = await this.changed(orderId);
    if (source === 'phone') {
      const photo = view.photos.find((p) => p.id === photoId);
      if (photo) this.deps.emit('capture:photo-uploaded', { orderId, photo });
    }
    return view;
  }

  async removePhoto(orderId: string, photoId: string): Promise<OrderView> {
    const o = this.order(orderId);
    if (!['created', 'checked'].includes(o.state)) throw new KioskFailure('BAD_STATE', '现在不能删除照片了');
    this.deps.db.prepare('UPDATE photos SET removed = 1 WHERE id = ? AND order_id = ?').run(photoId, orderId);
    this.refreshChecked(orderId);
    return this.changed(orderId);
  }

  async phoneUploadLink(orderId: string): Promise<UploadLink> {
    const o = this.order(orderId);
    if (!['created', 'checked'].includes(o.state)) throw new KioskFailure('BAD_STATE', '现在不能再添加照片了');
    const live = this.deps.repo.tokenFor(orderId, 'upload');
    const token =
      live && new Date(live.expires_at).getTime() - Date.now() > 60_000 ? live : this.deps.repo.addToken('upload', orderId, UPLOAD_TTL_SEC);
    const url = `${this.deps.phoneBaseUrl()}/p/upload/${token.token}`;
    return { url, qrSvg: await qrSvg(url), expiresAt: token.expires_at };
  }

  /** created ⇄ checked follows whether the order has enough good photos for its product. */
  private refreshChecked(orderId: string): void {
    const o = this.order(orderId);
    if (!['created', 'checked'].includes(o.state)) return;
    const product = this.product(o.product_id);
    const good = this.deps.repo.photos(orderId).filter((p) => p.ok === 1).length;
    const ready = !!product && good >= product.minPhotos && good <= product.maxPhotos;
    if (ready && o.state === 'created') transition(this.deps.db, orderId, 'checked', { reason: 'photos ok' });
    if (!ready && o.state === 'checked') transition(this.deps.db, orderId, 'created', { reason: 'photos changed' });
  }

  async startGeneration(orderId: string): Promise<OrderView> {
    const o = this.order(orderId);
    if (o.state !== 'checked') {
      if (o.state === 'generating' || o.state === 'generated') return this.view(orderId); // a double tap
      throw new KioskFailure('PHOTOS_NOT_READY', '请先拍好照片');
    }
    this.beginRound(orderId, 'checked', false);
    return this.changed(orderId);
  }

  async regenerate(orderId: string): Promise<OrderView> {
    const o = this.order(orderId);
    if (o.state === 'generating') return this.view(orderId);
    if (o.state !== 'generated') throw new KioskFailure('BAD_STATE', '操作已失效，请按屏幕提示继续');
    if (o.regenerations_used >= this.deps.config.regenerationsAllowed) {
      throw new KioskFailure('NO_MORE_REGENERATIONS', '已经重新生成过了，请从这几张中挑选');
    }
    this.beginRound(orderId, 'generated', true);
    return this.changed(orderId);
  }

  private beginRound(orderId: string, from: 'checked' | 'generated', regenerate: boolean): void {
    const o = this.order(orderId);
    const round = o.generation_round + 1;
    // Throws a kind KioskFailure when the day's AI budget is spent: said before any request is made.
    this.deps.aiBudget?.startGeneration(orderId);
    transition(this.deps.db, orderId, 'generating', {
      from: [from],
      reason: regenerate ? 'regenerate' : 'generate',
      set: {
        generation_round: round,
        generation_status: 'running',
        generation_message: null,
        regenerations_used: o.regenerations_used + (regenerate ? 1 : 0),
        picked_index: null,
      },
      also: () => {
        for (let i = 0; i < VARIANTS; i++) {
          this.deps.repo.upsertVariant({
            order_id: orderId,
            round,
            idx: i,
            status: 'pending',
            seed: o.seed + round * 100 + i,
            result_asset_id: null,
            preview_asset_id: null,
          });
        }
      },
    });
    const ctl = new AbortController();
    this.running.set(orderId, ctl);
    void this.runRound(orderId, round, ctl.signal).finally(() => {
      if (this.running.get(orderId) === ctl) this.running.delete(orderId);
    });
  }

  private async runRound(orderId: string, round: number, signal: AbortSignal): Promise<void> {
    const o = this.order(orderId);
    const product = this.product(o.product_id);
    const style = this.deps.catalog().styles.find((s) => s.id === o.style_id);
    const started = Date.now();
    const pending: Promise<void>[] = [];
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
        input: { orderId, product, style, outfitId: o.outfit_id, photos, seed: o.seed + round * 100 },
        count: VARIANTS,
        signal,
        gate: gate ? (img) => gate(img, { faces: familyFaces, minFacePx: 40 }) : undefined,
        onVariant: (v) => pending.push(this.saveVariant(orderId, round, v.index, v.seed, v.image)),
        onRejected: (index, reason) => log.info('variant.rejected', { orderId, index, reason }),
      });
      await Promise.all(pending);
      if (signal.aborted) return;
      const ready = this.deps.repo.variants(orderId, round).filter((v) => v.status === 'ready').length;
      for (const v of this.deps.repo.variants(orderId, round)) {
        if (v.status === 'pending') this.deps.repo.upsertVariant({ ...v, status: 'failed' });
      }
      log.info('generation.done', { orderId, round, ready, requests: result.requests, retries: result.retries, rejected: result.rejected, ms: Date.now() - started });
      if (ready > 0) {
        transition(this.deps.db, orderId, 'generated', { from: ['generating'], set: { generation_status: 'done' } });
      } else {
        this.failRound(orderId, '这次没有生成成功，请再试一次（不收费）');
      }
    } catch (e) {
      await Promise.allSettled(pending);
      if (signal.aborted) return;
      const msg = e instanceof KioskFailure ? e.message : '这次没有生成成功，请再试一次（不收费）';
      log.warn('generation.failed', { orderId, round, code: e instanceof KioskFailure ? e.code : 'INTERNAL', error: e as Error });
      this.failRound(orderId, msg);
    }
    await this.changed(orderId).catch(() => undefined);
  }

  private failRound(orderId: string, message: string): void {
    const o = this.order(orderId);
    if (o.state !== 'generating') return;
    this.deps.aiBudget?.forgiveGeneration(orderId);
    // Back to checked with the round not counted as a regeneration: the family retries for free.
    transition(this.deps.db, orderId, 'checked', {
      from: ['generating'],
      reason: 'generation failed',
      set: {
        generation_status: 'failed',
        generation_message: message,
        regenerations_used: Math.max(0, o.regenerations_used - (o.generation_round > 1 ? 1 : 0)),
      },
    });
  }

  private async saveVariant(orderId: string, round: number, index: number, seed: number, image: Buffer): Promise<void> {
    const dir = join(this.deps.paths.results, orderId);
    mkdirSync(dir, { recursive: true });
    const resultPath = join(dir, `r${round}-v${index}.jpg`);
    const previewPath = join(dir, `r${round}-v${index}-preview.jpg`);
    writeFileAtomic(resultPath, image);
    const preview = await this.deps.watermarkPreview(image);
    writeFileSync(previewPath, preview);
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
    await this.changed(orderId).catch(() => undefined);
  }

  async pick(orderId: string, index: number): Promise<OrderView> {
    const o = this.order(orderId);
    if (o.state === 'picked' && o.picked_index === index) return this.view(orderId);
    const v = this.deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === index);
    if (!v || v.status !== 'ready') throw new KioskFailure('VARIANT_UNAVAILABLE', '请选择一张已生成的照片');
    transition(this.deps.db, orderId, 'picked', { from: ['generated'], set: { picked_index: index } });
    return this.changed(orderId);
  }

  /** The family walked away (idle timeout, "重新开始"): stop the work, keep nothing running. */
  async abandon(orderId: string): Promise<OrderView> {
    const o = this.order(orderId);
    this.running.get(orderId)?.abort();
    if (['created', 'checked', 'generating', 'generated', 'picked', 'payment_closed'].includes(o.state)) {
      transition(this.deps.db, orderId, 'abandoned', { reason: 'customer left' });
      log.info('order.abandoned', { orderId, from: o.state });
    }
    return this.changed(orderId);
  }

  abortAll(): void {
    for (const c of this.running.values()) c.abort();
  }

  private order(orderId: string) {
    const o = this.deps.repo.order(orderId);
    if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');
    return o;
  }

  private product(id: string | null) {
    return id ? this.deps.catalog().products.find((p) => p.id === id) : undefined;
  }
}

/** Base64 (optionally a data: URL) → bytes, with the size checked before decoding everything. */
export function decodeImage(b64: string): Buffer {
  const comma = b64.startsWith('data:') ? b64.indexOf(',') : -1;
  const body = comma >= 0 ? b64.slice(comma + 1) : b64;
  if ((body.length * 3) / 4 > MAX_IMAGE_BYTES) throw new KioskFailure('TOO_LARGE', '照片太大了，请重新拍摄');
  const buf = Buffer.from(body, 'base64');
  if (buf.length < 16) throw new KioskFailure('NOT_AN_IMAGE', '无法读取这张照片，请重新拍摄');
  return buf;
}
