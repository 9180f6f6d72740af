import { describe, expect, it } from 'vitest';
import { registerTap } from './gesture';

describe('hidden admin gesture', () => {
  it('opens after five taps within three seconds', () => {
    let taps: number[] = [];
    const opened: boolean[] = [];
    for (const t of [0, 400, 800, 1200, 1600]) {
      const r = registerTap(taps, t);
      taps = r.taps;
      opened.push(r.open);
    }
    expect(opened).toEqual([false, false, false, false, true]);
    expect(taps).toEqual([]);
  });

  it('slow taps (a child playing) never add up', () => {
    let taps: number[] = [];
    let open = false;
    for (let i = 0; i < 20; i++) {
      const r = registerTap(taps, i * 1000);
      taps = r.taps;
      open ||= r.open;
    }
    expect(open).toBe(false);
  });
});
