// Which files the kiosk screen may show (the /media route of both hosts): the family's photos and
// the watermarked try while the order is live; the screen copies of a paid round and the clean
// delivered picture only once paid. Results never reach the screen unwatermarked before payment.
import { existsSync } from 'node:fs';
import { statesWhere } from '../../../shared/orderStates';
import type { OrdersRepo } from './repo';

/** Asset kinds the kiosk screen may display while the order is live. */
const SCREEN_KINDS = new Set(['original', 'preview']);
/** After payment the deliver screen shows the paid picture itself (the one module of order states). */
const PAID_STATES = new Set<string>(statesWhere('paidPicture'));
const LIVE_STATES = new Set<string>(statesWhere('onScreen'));

export function screenMedia(repo: OrdersRepo, assetId: string): { path: string; mime: string } | null {
  const a = repo.asset(assetId);
  if (!a || a.deleted_at) return null;
  const o = repo.order(a.order_id);
  if (!o) return null;
  const allowed = SCREEN_KINDS.has(a.kind) ? LIVE_STATES.has(o.state) : a.kind === 'final' && PAID_STATES.has(o.state);
  if (!allowed || !existsSync(a.path)) return null;
  return { path: a.path, mime: a.mime };
}
