// Builds the OrderView the kiosk screen shows from the database rows.
import QRCode from 'qrcode';
import type { OrderView, PhotoView, VariantView } from '../../../shared/contract';
import { KioskFailure } from '../../../shared/result';
import { PAYMENT_METHODS, type PaymentMethod } from '../payment/types';
import type { OrderDeps } from './context';
import { parseFaces, parseReasons, type DeliverableRow, type OrdersRepo } from './repo';

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

/** The short code a family quotes to the operator: the first six characters of the order id after "ord_". */
export function orderCode(orderId: string): string {
  return orderId.replace(/^ord_/, '').slice(0, 6).toUpperCase();
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
  const rows = repo.deliverables(orderId);
  if (rows.length > 0 || o.final_asset_id) {
    const of = (kind: DeliverableRow['kind']) => rows.find((r) => r.kind === kind);
    const photo = of('photo');
    const print = of('print');
    const motion = of('motion');
    const dl = photo ? repo.tokenFor(orderId, 'download') : undefined;
    const url = photo?.url ?? (dl ? downloadUrl(deps, dl.token) : null);
    delivery = {
      print: print ? printView(deps, print) : null,
      download: url && dl ? { url, qrSvg: await qrSvg(url), expiresAt: dl.expires_at } : null,
      photoAssetId: o.final_asset_id ?? undefined,
      motion: motion ? { status: motion.status === 'done' ? 'ready' : motion.status === 'failed' ? 'failed' : 'pending' } : null,
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
    orderCode: orderCode(o.id),
    freeBlocked: o.free_blocked ?? undefined,
    // Paid, the round of four is being made or waits for the family's pick.
    choosing: o.state === 'paid' && o.picked_index === null,
    motionEffect: (o.motion_effect as OrderView['motionEffect']) ?? null,
    updatedAt: o.updated_at,
  };
}

/** The order's print as the screen shows it: the spooler's live progress while the job runs. */
function printView(deps: Pick<OrderDeps, 'printer'>, d: DeliverableRow): NonNullable<NonNullable<OrderView['delivery']>['print']> {
  if (d.status === 'done') return { status: 'done', progress: 1, copies: d.quantity };
  if (d.status === 'failed') return { status: 'failed', progress: 0, copies: d.quantity, message: d.message ?? undefined };
  const live = d.status === 'working' && d.job_key ? deps.printer.view(d.job_key) : null;
  return {
    status: live?.status === 'printing' ? 'printing' : 'queued',
    progress: Math.min(0.95, live?.progress ?? 0),
    copies: d.quantity,
    message: live?.message ?? d.message ?? undefined,
  };
}
