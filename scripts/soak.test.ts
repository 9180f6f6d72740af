// A small fault soak in CI (the full one is `npm run soak -- --orders 1000`): thirty orders through
// the real browser host with every kind of fault injected at a raised rate, at least one SIGKILL
// and one clock jump; the money must balance against the WeChat Pay simulator's books.
import { describe, expect, it } from 'vitest';
import { defaultSoak, resultLine, runSoak, verdict } from '../bench/soak';

describe('fault soak (small)', () => {
  it('30 orders with provider faults, second scans, ENOSPC, a SIGKILL and clock jumps: nothing stranded, nothing twice, money conserved', { timeout: 900_000 }, async () => {
    const r = await runSoak({
      ...defaultSoak,
      orders: 30,
      concurrency: 4,
      kills: 1,
      clockJumps: 2,
      p: { payFault: 0.2, payTimeout: 0.1, secondScan: 0.15, walkAway: 0.1, fullDisk: 0.2, fullDiskForGood: 0.3 },
      rssWindow: 8,
      log: () => undefined,
    });
    console.log(resultLine(r), JSON.stringify({ injected: r.injected, outcomes: r.outcomes, seconds: r.seconds }));
    expect(r.failures).toEqual([]);
    expect(r.paid_fen).toBeGreaterThan(0);
    expect(r.injected.sigkill).toBe(1);
    expect(r.paid_fen).toBe(r.delivered_fen + r.refunded_fen);
    expect(r.stranded).toBe(0);
    expect(r.double).toBe(0);
    // RSS over 30 orders of a host that was restarted is not a leak measure; the full soak checks it.
    expect(verdict({ ...r, rss_growth_pct: 0 })).toEqual([]);
  });
});
