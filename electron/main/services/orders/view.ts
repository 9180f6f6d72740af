// Builds the OrderView the kiosk screen shows from the database rows.
import QRCode from 'qrcode';
import type { OrderView, PhotoView, VariantView } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { PAYMENT_METHODS, type PaymentMethod } from '../payment/types';
import type { OrderDeps } from './context';
import { parseFaces, parseReasons, type DeliveryRow, type OrdersRepo } from './repo';

const qrCache = new Map<string, string>();

/** An SVG QR code for a URL (cached: the same link is drawn on every order update). */
export async function qrSvg(text: string): Promise<string> {
  const hit = qrCache.get(text);
  if (hit) return hit;
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  if (qrCache.size > 200) qrCache.clear();
  qrCache.set(text, svg);
  return svg;
}

export function downloadUrl(deps: Pick<OrderDeps, 'phoneBaseUrl'>, token: string): string {
  return `${deps.phoneBaseUrl()}/p/download/${token}`;
}

export async function buildView(deps: Pick<OrderDeps, 'repo' | 'config' | 'phoneBaseUrl' | 'printer'>, orderId: string): Promise<OrderView> {
  const repo: OrdersRepo = deps.repo;
  const o = repo.order(orderId);
  if (!o) throw new KioskFailure('ORDER_NOT_FOUND', '订单不存在，请重新开始');

  const photos: PhotoView[] = repo.photos(orderId).map((p) => ({
    id: p.id,
    source: p.source,
    assetId: p.asset_id,
    ok: p.ok === 1,
    faces: parseFaces(p.faces_json),
    reasons: parseReasons(p.reasons_json),
    width: p.width,
    height: p.height,
  }));

  const variants: VariantView[] =
    o.generation_round > 0
      ? repo.variants(orderId, o.generation_round).map((v) => ({
          index: v.idx,
          status: v.status,
          assetId: v.preview_asset_id ?? undefined,
        }))
      : [];

  let payment: OrderView['payment'] = null;
  const pays = repo.payments(orderId);
  const current = pays[pays.length - 1];
  if (o.amount_fen === 0 && ['paid', 'delivering', 'delivered'].includes(o.state)) payment = { free: true };
  else if (current) {
    payment = {
      free: false,
      method: (PAYMENT_METHODS as readonly string[]).includes(current.provider) ? (current.provider as PaymentMethod) : undefined,
      codeUrl: current.code_url ?? undefined,
      qrSvg: current.code_url && current.state === 'open' ? await qrSvg(current.code_url) : undefined,
      expiresAt: current.expires_at,
    };
  }

  let delivery: OrderView['delivery'] = null;
  const d = repo.delivery(orderId);
  if (d) {
    const dl = d.download_wanted ? repo.tokenFor(orderId, 'download') : undefined;
    const url = d.download_url ?? (dl ? downloadUrl(deps, dl.token) : null);
    delivery = {
      print: d.print_wanted ? printView(deps, d) : null,
      download: url && dl ? { url, qrSvg: await qrSvg(url), expiresAt: dl.expires_at } : null,
      photoAssetId: d.result_asset_id ?? undefined,
      motion: d.motion_wanted
        ? { status: d.motion_status === 'ready' ? 'ready' : d.motion_status === 'failed' ? 'failed' : 'pending' }
        : null,
    };
  }

  return {
    id: o.id,
    state: o.state,
    productId: (o.product_id as OrderView['productId']) ?? null,
    styleId: o.style_id,
    outfitId: o.outfit_id,
    photos,
    variants,
    generation: {
      status: o.generation_status,
      message: o.generation_message ?? undefined,
      regenerationsLeft: Math.max(0, deps.config.regenerationsAllowed - o.regenerations_used),
    },
    pickedIndex: o.picked_index,
    packageId: o.package_id,
    amountFen: o.amount_fen,
    payment,
    delivery,
    notice: o.notice,
    updatedAt: o.updated_at,
  };
}

/** The order's print as the screen shows it: the spooler's live progress while the job runs. */
function printView(deps: Pick<OrderDeps, 'printer'>, d: DeliveryRow): NonNullable<NonNullable<OrderView['delivery']>['print']> {
  if (d.print_status === 'done') return { status: 'done', progress: 1, copies: d.print_copies };
  if (d.print_status === 'failed') return { status: 'failed', progress: 0, copies: d.print_copies, message: d.print_message ?? undefined };
  const live = d.print_status === 'printing' && d.print_job_key ? deps.printer.view(d.print_job_key) : null;
  return {
    status: live?.status === 'printing' ? 'printing' : 'queued',
    progress: Math.min(0.95, live?.progress ?? 0),
    copies: d.print_copies,
    message: live?.message ?? d.print_message ?? undefined,
  };
}
