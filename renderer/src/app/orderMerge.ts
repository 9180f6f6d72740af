// Order views arrive three ways (call results, order:changed events, 1-s polling) and can cross
// on the wire; these rules keep the newest view of the current order and ignore everything else.
import type { OrderView, PhotoView } from '../../../electron/shared/contract';

function newerOrSame(a: OrderView, b: OrderView): boolean {
  const ta = Date.parse(a.updatedAt);
  const tb = Date.parse(b.updatedAt);
  if (!Number.isFinite(ta) || !Number.isFinite(tb)) return true;
  return ta >= tb;
}

/**
 * source 'call': the answer to our own call (may start a new order);
 * source 'event'/'poll': only updates the order already on screen, and never goes back in time.
 */
export function mergeOrder(current: OrderView | null, incoming: OrderView, source: 'call' | 'event' | 'poll'): OrderView | null {
  if (!current) return source === 'call' ? incoming : null;
  if (current.id !== incoming.id) return source === 'call' ? incoming : current;
  return newerOrSame(incoming, current) ? incoming : current;
}

export function mergeUploadedPhoto(current: OrderView | null, orderId: string, photo: PhotoView): OrderView | null {
  if (!current || current.id !== orderId) return current;
  if (current.photos.some((p) => p.id === photo.id)) return current;
  return { ...current, photos: [...current.photos, photo] };
}

/** All four variants have an outcome and the generator has stopped. */
export function generationSettled(order: OrderView): boolean {
  if (order.generation.status === 'running' || order.generation.status === 'idle') return false;
  return order.variants.every((v) => v.status !== 'pending');
}

export function readyVariants(order: OrderView): number {
  return order.variants.filter((v) => v.status === 'ready' && v.assetId).length;
}

export function okPhotos(order: OrderView | null): number {
  return order ? order.photos.filter((p) => p.ok).length : 0;
}
