// The customer's path before generation: consent, product and style, photos (camera and phone).
// Generation (the try, and the variants after payment) is its own flow: generation.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Guidance, Lang, OrderView, ProductId, UploadLink } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { OrderDeps } from './context';
import { newId } from './repo';
import { tx } from '../store/db';
import { transition } from './stateMachine';
import { buildView, qrSvg } from './view';

const log = logger('session');

/** Phone upload links for absent relatives live this long. */
const UPLOAD_TTL_SEC = 15 * 60;
/** The largest camera still or upload we accept (decoded bytes). */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export interface SessionHooks {
  /** Stops a running try when the family walks away. */
  abortGeneration(orderId: string): void;
}

export class SessionFlow {
  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: SessionHooks = { abortGeneration: () => undefined },
  ) {}

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

  /** The family walked away (idle timeout, "重新开始"): stop the work, keep nothing running. */
  async abandon(orderId: string): Promise<OrderView> {
    const o = this.order(orderId);
    this.hooks.abortGeneration(orderId);
    if (['created', 'checked', 'generating', 'generated', 'picked', 'payment_closed'].includes(o.state)) {
      transition(this.deps.db, orderId, 'abandoned', { reason: 'customer left' });
      log.info('order.abandoned', { orderId, from: o.state });
    }
    return this.changed(orderId);
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
