// The one store for the customer's flow: which screen, the catalogue, the order on screen.
// Components read it; actions here never call the bridge (screens do, through useAction).
import { create } from 'zustand';
import type { Catalog, OrderView, PhotoView, ProductId } from '../../../electron/shared/contract';
import { mergeOrder, mergeUploadedPhoto } from './orderMerge';
import type { Phase } from './phase';

export interface FlowState {
  phase: Phase;
  catalog: Catalog | null;
  order: OrderView | null;
  /** Chosen on the product screen, sent with the style (order:choose-product). */
  productId: ProductId | null;
  /** Last touch (or visible progress) in epoch ms, for the idle timeout. */
  lastActivity: number;
  go(phase: Phase): void;
  touch(): void;
  setCatalog(catalog: Catalog): void;
  chooseProduct(productId: ProductId): void;
  orderFrom(source: 'call' | 'event' | 'poll', order: OrderView): void;
  photoUploaded(orderId: string, photo: PhotoView): void;
  /** Back to the attract loop with nothing of the last family left in memory. */
  reset(): void;
}

export const useFlow = create<FlowState>()((set, get) => ({
  phase: 'attract',
  catalog: null,
  order: null,
  productId: null,
  lastActivity: Date.now(),
  go: (phase) => set({ phase, lastActivity: Date.now() }),
  touch: () => set({ lastActivity: Date.now() }),
  setCatalog: (catalog) => set({ catalog }),
  chooseProduct: (productId) => set({ productId, phase: 'style', lastActivity: Date.now() }),
  orderFrom: (source, order) => {
    const next = mergeOrder(get().order, order, source);
    if (next !== get().order) set({ order: next });
  },
  photoUploaded: (orderId, photo) => {
    const next = mergeUploadedPhoto(get().order, orderId, photo);
    if (next !== get().order) set({ order: next, lastActivity: Date.now() });
  },
  reset: () => set({ phase: 'attract', order: null, productId: null, lastActivity: Date.now() }),
}));
