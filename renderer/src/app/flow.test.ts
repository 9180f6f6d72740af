import { beforeEach, describe, expect, it } from 'vitest';
import type { OrderView } from '../../../electron/shared/contract';
import { useFlow } from './flow';

const view = (id: string, updatedAt: string, state: OrderView['state'] = 'created'): OrderView => ({
  id,
  state,
  productId: null,
  styleId: null,
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
});

describe('the flow store', () => {
  beforeEach(() => useFlow.getState().reset());

  it('a late event from the previous family never brings their order back after a reset', () => {
    const s = useFlow.getState();
    s.orderFrom('call', view('A', '2026-02-01T10:00:00Z'));
    s.go('capture');
    s.reset();
    useFlow.getState().orderFrom('event', view('A', '2026-02-01T10:00:05Z', 'checked'));
    useFlow.getState().orderFrom('poll', view('A', '2026-02-01T10:00:06Z', 'checked'));
    expect(useFlow.getState().order).toBeNull();
    expect(useFlow.getState().phase).toBe('attract');
  });

  it('choosing a product moves to the style screen and counts as activity', () => {
    useFlow.setState({ lastActivity: 0 });
    useFlow.getState().chooseProduct('puzzle');
    expect(useFlow.getState().phase).toBe('style');
    expect(useFlow.getState().productId).toBe('puzzle');
    expect(useFlow.getState().lastActivity).toBeGreaterThan(0);
  });

  it('a phone upload lands on the order on screen and restarts the idle clock', () => {
    useFlow.getState().orderFrom('call', view('A', '2026-02-01T10:00:00Z'));
    useFlow.setState({ lastActivity: 0 });
    useFlow.getState().photoUploaded('A', { id: 'p1', source: 'phone', assetId: 'a1', ok: true, faces: [], reasons: [], width: 1, height: 1 });
    expect(useFlow.getState().order?.photos.map((p) => p.id)).toEqual(['p1']);
    expect(useFlow.getState().lastActivity).toBeGreaterThan(0);
  });
});
