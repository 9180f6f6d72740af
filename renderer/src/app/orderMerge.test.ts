import { describe, expect, it } from 'vitest';
import type { OrderView, PhotoView } from '../../../electron/shared/contract';
import { generationSettled, mergeOrder, mergeUploadedPhoto, okPhotos } from './orderMerge';

function view(id: string, updatedAt: string, patch: Partial<OrderView> = {}): OrderView {
  return {
    id,
    state: 'created',
    productId: 'puzzle',
    styleId: 'palace',
    outfitId: null,
    photos: [],
    variants: [],
    generation: { status: 'idle', regenerationsLeft: 1 },
    pickedIndex: null,
    packageId: null,
    amountFen: null,
    payment: null,
    delivery: null,
    notice: null,
    updatedAt,
    ...patch,
  };
}
const photo = (id: string, ok: boolean): PhotoView => ({ id, source: 'phone', assetId: `a-${id}`, ok, faces: [], reasons: [], width: 10, height: 10 });

describe('order views from calls, events and polling', () => {
  const a1 = view('A', '2026-02-01T10:00:01.000Z');
  const a2 = view('A', '2026-02-01T10:00:02.000Z', { state: 'checked' });

  it('keeps the newest view of the order on screen, whatever arrives late', () => {
    expect(mergeOrder(a1, a2, 'event')).toBe(a2);
    expect(mergeOrder(a2, a1, 'poll')).toBe(a2);
    expect(mergeOrder(a2, a1, 'call')).toBe(a2);
  });

  it('ignores events and polls about another order (e.g. the previous family\'s)', () => {
    const b = view('B', '2026-02-01T11:00:00.000Z');
    expect(mergeOrder(a1, b, 'event')).toBe(a1);
    expect(mergeOrder(null, b, 'event')).toBeNull();
    expect(mergeOrder(null, b, 'poll')).toBeNull();
    // Our own call (consent) starts the new order.
    expect(mergeOrder(a1, b, 'call')).toBe(b);
    expect(mergeOrder(null, b, 'call')).toBe(b);
  });

  it('adds a phone upload once, to the right order only', () => {
    const once = mergeUploadedPhoto(a1, 'A', photo('p1', true));
    expect(once?.photos.map((p) => p.id)).toEqual(['p1']);
    expect(mergeUploadedPhoto(once, 'A', photo('p1', true))).toBe(once);
    expect(mergeUploadedPhoto(a1, 'B', photo('p2', true))).toBe(a1);
    expect(okPhotos(mergeUploadedPhoto(once, 'A', photo('p3', false)))).toBe(1);
  });

  it('is settled only when the generator stopped and no variant is pending', () => {
    const running = view('A', a1.updatedAt, {
      generation: { status: 'running', regenerationsLeft: 1 },
      variants: [0, 1, 2, 3].map((index) => ({ index, status: 'ready' as const, assetId: `v${index}` })),
    });
    expect(generationSettled(running)).toBe(false);
    const supplementary = { ...running, generation: { status: 'done' as const, regenerationsLeft: 1 }, variants: [...running.variants.slice(0, 3), { index: 3, status: 'pending' as const }] };
    expect(generationSettled(supplementary)).toBe(false);
    const done = { ...running, generation: { status: 'done' as const, regenerationsLeft: 1 } };
    expect(generationSettled(done)).toBe(true);
  });
});
