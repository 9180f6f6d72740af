// Heartbeats and daily summaries from a kiosk with real orders, through the real ali-oss adapter to
// the fake OSS (signature-checked), offline and across a restart; and nothing personal in them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, until, type Harness } from '../../testing/orders';
import { FLEET_BUCKET, fleetOss, healthReport, paidOrder } from '../../testing/fleet';
import type { FakeOss } from '../../../sim/oss/fakeOss';
import { createFleetOss } from './objects';
import { createFleetOutbox, type FleetOutbox } from './outbox';
import { Outcomes } from './outcomes';
import { FleetReporter, type ReporterDeps } from './reporter';
import { deriveKioskKey, verifyKioskDoc } from './sign';
import { DailySummary, Heartbeat } from './docs';
import { localDay } from './counters';

const MASTER = 'fleet-master-key-for-tests-0123456789';
let h: Harness | undefined;
let fake: FakeOss | undefined;
let outbox: FleetOutbox | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await outbox?.stop();
  await h?.close();
  await fake?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  h = undefined;
  fake = undefined;
  outbox = undefined;
});

function obj(key: string): unknown {
  const o = fake!.objects.get(`${FLEET_BUCKET}/${key}`);
  return o ? JSON.parse(o.body.toString('utf8')) : undefined;
}

function reporter(over: Partial<ReporterDeps> & { dir: string }): FleetReporter {
  return new FleetReporter({
    kioskId: 'mall-a-01',
    group: 'beijing',
    version: '1.4.0',
    host: 'browser',
    prefix: 'fleet/',
    db: h!.db,
    health: async () => healthReport({ paper: ['warn', 'PAPER_LOW'] }, { remaining: 12, capacity: 700 }),
    outcomes: new Outcomes(),
    aiToday: () => ({ day: localDay(Date.now()), images: 8, spentFen: 160 }),
    paperPrinted: () => 3,
    uploadsPending: () => 0,
    outbox: outbox!,
    kioskKey: () => deriveKioskKey(MASTER, 'mall-a-01'),
    stateFile: join(over.dir, 'fleet-state.json'),
    bootAt: Date.now() - 60_000,
    crashRestart: false,
    settingsVersion: () => null,
    lastBackupAt: () => null,
    ...over,
  });
}

describe('fleet heartbeats on OSS', () => {
  it('a heartbeat carries health, counters since the last beat and a valid kiosk signature; nothing personal', async () => {
    h = harness();
    const orderId = await paidOrder(h, 'print');
    const dir = mkdtempSync(join(tmpdir(), 'fleet-rep-'));
    dirs.push(dir);
    ({ fake } = await fleetOss().then((x) => ({ fake: x.fake, config: x.config, _: (outbox = createFleetOutbox({ dir, oss: createFleetOss(x.config) })) })));
    outbox!.start();
    const outcomes = new Outcomes();
    outcomes.record('payment', true);
    outcomes.record('ai', false, 'JIMENG_50429');
    const r = reporter({ dir, outcomes, bootAt: Date.now() - 3_600_000 });
    await r.beat();
    await until(() => obj('fleet/mall-a-01/latest.json'), 'latest.json on OSS');
    const env = obj('fleet/mall-a-01/latest.json');
    const v = verifyKioskDoc(env, MASTER, 'mall-a-01');
    expect(v.ok).toBe(true);
    const beat = Heartbeat.parse((env as { payload: unknown }).payload);
    expect(beat.health.paper).toEqual({ status: 'warn', code: 'PAPER_LOW' });
    expect(beat.health.ai).toEqual({ status: 'ok', code: 'OK' });
    expect(beat.counters).toMatchObject({ visitors: 1, consents: 1, photos: 1, paidOrders: 1, paidByPackage: { print: { count: 1 } }, aiImages: 8, aiCostFen: 160 });
    expect(beat.counters.previews).toBeGreaterThanOrEqual(1); // try, then buy: one picture before payment
    expect(beat.counters.calls).toEqual({ payment: { ok: 1, failed: 0 }, ai: { ok: 0, failed: 1 } });
    expect(beat.counters.failures).toEqual({ ai: { JIMENG_50429: 1 } });
    // Today's summary is written with the first beat.
    await until(() => obj(`fleet/mall-a-01/daily/${localDay(Date.now())}.json`), 'daily summary');
    const daily = DailySummary.parse((obj(`fleet/mall-a-01/daily/${localDay(Date.now())}.json`) as { payload: unknown }).payload);
    expect(daily).toMatchObject({ paidOrders: 1, final: false, heartbeats: 1 });

    // The next beat counts only what happened since: nothing.
    const second = await r.beat();
    expect(second.counters).toMatchObject({ visitors: 0, paidOrders: 0, aiImages: 0, calls: {} });

    // No personal data anywhere on OSS: no order id, trade number, transaction id, token, share key or photo bytes.
    const secrets: string[] = [orderId];
    for (const row of h.db.prepare('SELECT out_trade_no, transaction_id FROM payments').all() as { out_trade_no: string; transaction_id: string | null }[]) secrets.push(row.out_trade_no, ...(row.transaction_id ? [row.transaction_id] : []));
    for (const row of h.db.prepare('SELECT token FROM tokens').all() as { token: string }[]) secrets.push(row.token);
    for (const row of h.db.prepare('SELECT token FROM sim_trades').all() as { token: string }[]) secrets.push(row.token);
    for (const row of h.db.prepare('SELECT share_key FROM orders WHERE share_key IS NOT NULL').all() as { share_key: string }[]) secrets.push(row.share_key);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const everything = [...fake!.objects.values()].map((o) => o.body.toString('utf8')).join('\n');
    for (const s of secrets) expect(everything).not.toContain(s);
    expect(everything).not.toMatch(/[A-Za-z0-9+/]{200,}/); // no embedded images
    expect(everything).not.toMatch(/https?:\/\//); // no links (download pages, payment QR)
  });

  it('beats written while OSS is unreachable arrive when it is back, also after a restart', async () => {
    h = harness();
    const dir = mkdtempSync(join(tmpdir(), 'fleet-rep-'));
    dirs.push(dir);
    const x = await fleetOss();
    fake = x.fake;
    fake.offline(true);
    outbox = createFleetOutbox({ dir, oss: createFleetOss(x.config), baseDelayMs: 20, maxDelayMs: 50 });
    outbox.start();
    const r = reporter({ dir });
    await r.beat();
    await r.beat();
    await until(() => outbox!.queue.stats().pending >= 3 && fake!.requests.length > 0, 'tries while offline', 15_000);
    expect(fake.objects.size).toBe(0);
    // Power cut: the process dies with the beats still queued.
    await outbox.stop();
    fake.offline(false);
    outbox = createFleetOutbox({ dir, oss: createFleetOss(x.config), baseDelayMs: 20, maxDelayMs: 50 });
    outbox.start();
    await until(() => outbox!.queue.stats().pending === 0 && outbox!.queue.stats().uploading === 0, 'queue drained', 15_000);
    const beats = [...fake.objects.keys()].filter((k) => k.includes('/beats/'));
    expect(beats.length).toBeGreaterThanOrEqual(1);
    const latest = Heartbeat.parse((obj('fleet/mall-a-01/latest.json') as { payload: unknown }).payload);
    expect(latest.seq).toBe(2);
    // The queue does not keep delivered documents (it would grow by hundreds a day).
    expect(outbox.queue.stats()).toMatchObject({ pending: 0, done: 0 });
  }, 40_000);

  it('writes yesterday\'s final summary once, after midnight', async () => {
    h = harness();
    const dir = mkdtempSync(join(tmpdir(), 'fleet-rep-'));
    dirs.push(dir);
    const x = await fleetOss();
    fake = x.fake;
    outbox = createFleetOutbox({ dir, oss: createFleetOss(x.config) });
    outbox.start();
    const day1 = new Date(2026, 1, 10, 23, 50).getTime();
    let now = day1;
    const r = reporter({ dir, now: () => now, bootAt: day1 - 60_000, aiToday: () => ({ day: localDay(now), images: now === day1 ? 5 : 1, spentFen: now === day1 ? 100 : 20 }) });
    await r.beat();
    now = new Date(2026, 1, 11, 0, 5).getTime();
    await r.beat();
    await r.beat();
    await until(() => obj('fleet/mall-a-01/daily/2026-02-10.json') && obj('fleet/mall-a-01/daily/2026-02-11.json'), 'final summary');
    const d = DailySummary.parse((obj('fleet/mall-a-01/daily/2026-02-10.json') as { payload: unknown }).payload);
    expect(d).toMatchObject({ day: '2026-02-10', final: true, aiImages: 5, aiCostFen: 100, heartbeats: 1 });
    const next = DailySummary.parse((obj('fleet/mall-a-01/daily/2026-02-11.json') as { payload: unknown }).payload);
    expect(next).toMatchObject({ aiImages: 1, final: false });
  });
});
