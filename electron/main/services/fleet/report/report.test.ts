// The fleet report against the fake OSS through the real adapter: a simulated fleet, one silent
// kiosk, one forged document, one kiosk without days.json (the per-day fallback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_BUCKET, fleetOss } from '../../../testing/fleet';
import type { FakeOss } from '../../../../sim/oss/fakeOss';
import { createFleetOss, type FleetOss } from '../objects';
import { readFleet } from './read';
import { renderCsv, renderHtml } from './render';
import { kioskName, simulateFleet } from './simulate';

const MASTER = 'report-test-master-key-0123456789abcdef';
let fake: FakeOss;
let oss: FleetOss;
const now = Date.parse('2026-02-14T06:00:00Z');

beforeAll(async () => {
  const x = await fleetOss();
  fake = x.fake;
  oss = createFleetOss(x.config);
  const r = await simulateFleet(oss, { kiosks: 8, days: 10, masterKey: MASTER, now, beatsPerKiosk: 2 });
  expect(r.stale).toEqual([kioskName(6)]);
  // A kiosk running an older version without days.json: the report falls back to the per-day files.
  fake.objects.delete(`${FLEET_BUCKET}/fleet/${kioskName(2)}/days.json`);
  // Someone rewrote a summary without the kiosk's key.
  const k = `${FLEET_BUCKET}/fleet/${kioskName(3)}/days.json`;
  const doc = JSON.parse(fake.objects.get(k)!.body.toString('utf8')) as { payload: { days: { salesFen: number }[] } };
  doc.payload.days[0]!.salesFen += 100_000;
  fake.objects.get(k)!.body = Buffer.from(JSON.stringify(doc));
}, 60_000);
afterAll(() => fake.close());

describe('fleet report', () => {
  it('reads two objects per kiosk, flags silent kiosks and refuses forged documents', async () => {
    const data = await readFleet(oss, { masterKey: MASTER, days: 10, now });
    expect(data.kiosks.map((k) => k.kioskId)).toEqual(Array.from({ length: 8 }, (_, i) => kioskName(i)));
    expect(data.kiosks.filter((k) => k.stale).map((k) => k.kioskId)).toEqual([kioskName(6)]);
    expect(data.kiosks.find((k) => k.kioskId === kioskName(6))!.silentMin).toBe(120);
    const forged = data.kiosks.find((k) => k.kioskId === kioskName(3))!;
    expect(forged.refused).toEqual([{ key: `fleet/${kioskName(3)}/days.json`, reason: 'signature does not match' }]);
    // The forged kiosk's days come from its per-day files instead, untouched.
    expect(forged.daily).toHaveLength(10);
    expect(data.kiosks.find((k) => k.kioskId === kioskName(2))!.daily).toHaveLength(10);
    expect(data.kiosks.every((k) => k.daily.length === 10)).toBe(true);
    // 8 × (latest + days.json) + the per-day files of the two fallback kiosks.
    expect(data.objectsRead).toBe(16 + 20);
    const html = renderHtml(data);
    expect(html).toContain('<svg');
    expect(html).toContain('SILENT 120 min');
    expect(html).toContain('1 refused');
    const csv = renderCsv(data);
    expect(csv['daily.csv'].trim().split('\r\n')).toHaveLength(1 + 8 * 10);
    expect(csv['kiosks.csv']).toContain(`${kioskName(6)},`);
    // Totals in the CSV add up to the summaries' own numbers.
    const sales = data.kiosks.flatMap((k) => k.daily).reduce((s, d) => s + d.salesFen, 0);
    const csvSales = csv['daily.csv'].trim().split('\r\n').slice(1).reduce((s, line) => s + Math.round(Number(line.split(',')[11]) * 100), 0);
    expect(csvSales).toBe(sales);
  });

  it('with a cache, a second run reads only what can still change', async () => {
    const dir = (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'fleet-cache-'));
    const first = await readFleet(oss, { masterKey: MASTER, days: 40, now, cacheDir: dir });
    const second = await readFleet(oss, { masterKey: MASTER, days: 40, now, cacheDir: dir });
    expect(first.cacheHits).toBe(0);
    // 40 days > the 35 in days.json: per-day files; the second run reads latest.json and today's only.
    expect(second.objectsRead).toBe(8 * 2);
    expect(second.cacheHits).toBe(8 * 9);
  });
});
