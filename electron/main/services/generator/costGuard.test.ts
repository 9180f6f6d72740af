import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CostGuard, fileCostStore, memoryCostStore } from './costGuard';

const limits = { priceFenPerImage: 20, dailyBudgetFen: 100, maxCallsPerOrder: 6, regenerationsPerOrder: 1 };
const dir = mkdtempSync(join(tmpdir(), 'cost-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CostGuard', () => {
  it('allows the first generation and the configured regenerations, then says no in Chinese', () => {
    const g = new CostGuard(limits);
    g.startGeneration('o1');
    g.startGeneration('o1');
    expect(() => g.startGeneration('o1')).toThrow(expect.objectContaining({ code: 'REGENERATION_LIMIT', message: expect.stringContaining('重新生成 1 次') }));
    g.startGeneration('o2'); // another order is not affected
  });

  it('gives a free retry after a generation that delivered nothing', () => {
    const g = new CostGuard({ ...limits, regenerationsPerOrder: 0 });
    g.startGeneration('o1');
    g.forgiveGeneration('o1'); // zero variants came back
    g.startGeneration('o1');
    expect(() => g.startGeneration('o1')).toThrow(expect.objectContaining({ code: 'REGENERATION_LIMIT' }));
  });

  it('caps the calls of one order, counting requests still in flight', () => {
    const g = new CostGuard({ ...limits, dailyBudgetFen: 0, maxCallsPerOrder: 3 });
    for (let i = 0; i < 3; i++) expect(g.reserve('o1').ok).toBe(true);
    const r = g.reserve('o1');
    expect(r).toMatchObject({ ok: false, scope: 'order' });
    expect(g.reserve('o2').ok).toBe(true);
  });

  it('stops at the daily budget, reserving parallel requests so they cannot overshoot it', () => {
    const g = new CostGuard(limits); // 100 fen = 5 images
    for (let i = 0; i < 5; i++) expect(g.reserve(`o${i}`).ok).toBe(true);
    expect(g.reserve('o9')).toMatchObject({ ok: false, scope: 'day', failure: { code: 'AI_DAILY_BUDGET' } });
    // two requests came back without an image: their reservations are released
    g.settle('o0', 0);
    g.settle('o1', 0);
    expect(g.reserve('o9').ok).toBe(true);
  });

  it('keeps the day’s spend across a restart (JSON file) and starts a new budget the next day', () => {
    const path = join(dir, 'ai-cost.json');
    let now = new Date(2026, 0, 22, 20, 0, 0);
    const a = new CostGuard(limits, fileCostStore(path), () => now);
    for (let i = 0; i < 5; i++) {
      a.reserve('o1');
      a.recordCall('o1');
      a.settle('o1', 1);
    }
    expect(a.today()).toMatchObject({ calls: 5, images: 5, spentFen: 100 });
    const b = new CostGuard(limits, fileCostStore(path), () => now);
    expect(b.usage('o1')).toEqual({ calls: 5, images: 5, generations: 0 });
    expect(() => b.startGeneration('o3')).toThrow(expect.objectContaining({ code: 'AI_DAILY_BUDGET' }));
    now = new Date(2026, 0, 23, 9, 0, 0);
    expect(b.reserve('o3').ok).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ day: '2026-01-23', calls: 0, images: 0 });
  });

  it('survives a corrupt cost file instead of blocking the kiosk', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{not json');
    const g = new CostGuard(limits, fileCostStore(path));
    expect(g.reserve('o1').ok).toBe(true);
    expect(new CostGuard(limits, memoryCostStore()).today().spentFen).toBe(0);
  });
});
