// A believable fleet for trying the report without real kiosks: malls of different sizes, weekends
// busier, a funnel like the product plan's (most families who start see previews, about a third
// pay), AI billed per preview image, a regional AI outage one afternoon, one kiosk with a bad uplink,
// a few kiosks silent (power cut, network) and some low on paper. Deterministic for a seed. Written
// with the real adapter (signed like a kiosk signs) so the report reads exactly what kiosks write.
import { DailySummary, DAYS_KEPT, DaysBundle, fleetKeys, Heartbeat, emptyCounters, type Counters } from '../docs';
import type { FleetOss } from '../objects';
import { deriveKioskKey, signKioskDoc } from '../sign';

const PACKAGES = [
  { id: 'digital', fen: 1990, sheets: 0, share: 0.45 },
  { id: 'print', fen: 3990, sheets: 1, share: 0.4 },
  { id: 'premium', fen: 6990, sheets: 2, share: 0.15 },
];
const AI_FEN_PER_IMAGE = 20;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function binom(r: () => number, n: number, p: number): number {
  if (n > 60) return Math.max(0, Math.min(n, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * (r() + r() + r() - 1.5) * 2)));
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
}

const dayStr = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export interface SimulateOptions {
  kiosks: number;
  days: number;
  masterKey: string;
  now?: number;
  seed?: number;
  prefix?: string;
  /** Heartbeat history written per kiosk (the last hour by default). */
  beatsPerKiosk?: number;
  concurrency?: number;
}

export const kioskName = (i: number) => `mall-${String(i + 1).padStart(3, '0')}`;

export async function simulateFleet(oss: FleetOss, o: SimulateOptions): Promise<{ objects: number; stale: string[] }> {
  const now = o.now ?? Date.now();
  const prefix = o.prefix ?? 'fleet/';
  const r = rng(o.seed ?? 2026);
  const puts: { key: string; body: string }[] = [];
  const stale: string[] = [];
  const outageDay = Math.max(0, o.days - 9);
  for (let k = 0; k < o.kiosks; k++) {
    const id = kioskName(k);
    const key = deriveKioskKey(o.masterKey, id);
    const keys = fleetKeys(prefix, id);
    const group = ['beijing', 'shanghai', 'guangzhou'][k % 3]!;
    const size = 0.4 + r() * 1.8; // small corridor kiosk … flagship atrium
    const badUplink = k === 11 || (o.kiosks < 12 && k === 1);
    const bundle: DailySummary[] = [];
    let paper = 700;
    let printedTotal = 0;
    for (let d = o.days - 1; d >= 0; d--) {
      const date = new Date(new Date(now).getFullYear(), new Date(now).getMonth(), new Date(now).getDate() - d);
      const weekend = date.getDay() === 0 || date.getDay() === 6;
      const today = d === 0;
      const part = today ? Math.min(1, Math.max(0.05, (new Date(now).getHours() - 9) / 13)) : 1;
      const visitors = Math.round(size * (weekend ? 62 : 38) * (0.8 + r() * 0.4) * part);
      const photos = Math.round(binom(r, visitors, 0.88) * (1.3 + r() * 0.4));
      const generatedN = binom(r, visitors, 0.82);
      const picked = binom(r, generatedN, 0.78);
      const paid = binom(r, picked, 0.46);
      const c: Counters = { ...emptyCounters(), visitors, consents: visitors, photos, previews: generatedN * 4 * (1 + (r() < 0.2 ? 1 : 0)), generated: generatedN, picked };
      let sheets = 0;
      for (let i = 0; i < paid; i++) {
        const x = r();
        const p = x < PACKAGES[0]!.share ? PACKAGES[0]! : x < PACKAGES[0]!.share + PACKAGES[1]!.share ? PACKAGES[1]! : PACKAGES[2]!;
        const e = (c.paidByPackage[p.id] ??= { count: 0, fen: 0 });
        e.count++;
        e.fen += p.fen;
        c.salesFen += p.fen;
        sheets += p.sheets;
      }
      c.paidOrders = paid;
      const refunds = binom(r, paid, 0.015);
      c.refunds = { count: refunds, fen: refunds * 3990 };
      c.aiImages = c.previews;
      c.aiCostFen = c.aiImages * AI_FEN_PER_IMAGE;
      c.paperUsed = sheets;
      printedTotal += sheets;
      paper -= sheets;
      if (paper < 40) paper = 700; // staff refilled
      const aiFailRate = d === outageDay ? 0.06 : 0.003;
      const uploadFailRate = badUplink ? 0.04 : 0.002;
      const calls = { payment: paid * 3 + binom(r, visitors, 0.3), ai: c.aiImages, upload: paid * 2 };
      const aiFail = binom(r, calls.ai, aiFailRate);
      const upFail = binom(r, calls.upload, uploadFailRate);
      const payFail = binom(r, calls.payment, 0.002);
      c.calls = { payment: { ok: calls.payment - payFail, failed: payFail }, ai: { ok: calls.ai - aiFail, failed: aiFail }, upload: { ok: calls.upload - upFail, failed: upFail } };
      c.failures = {};
      if (payFail) c.failures.payment = { NETWORK: payFail };
      if (aiFail) c.failures.ai = d === outageDay ? { JIMENG_50500: aiFail } : { JIMENG_50429: aiFail };
      if (upFail) c.failures.upload = { RequestTimeout: upFail };
      const daily: DailySummary = {
        ...c,
        v: 1,
        kind: 'daily',
        kioskId: id,
        group,
        version: k % 7 === 0 ? '1.3.2' : '1.4.0',
        day: dayStr(date),
        at: new Date(today ? now : date.getTime() + 86_400_000 + 300_000).toISOString(),
        final: !today,
        heartbeats: today ? Math.round(part * 156) : 288,
        crashRestarts: r() < 0.02 ? 1 : 0,
      };
      puts.push({ key: keys.daily(daily.day), body: JSON.stringify(signKioskDoc(DailySummary.parse(daily), id, key)) });
      bundle.push(daily);
    }
    const days: DaysBundle = { v: 1, kind: 'days', kioskId: id, at: new Date(now).toISOString(), days: bundle.slice(-DAYS_KEPT) };
    puts.push({ key: keys.days, body: JSON.stringify(signKioskDoc(DaysBundle.parse(days), id, key)) });
    // Most kiosks beat every 5 minutes; a few went silent (power cut, a cable, a mall's Wi-Fi).
    const silentMs = k === 6 ? 2 * 3_600_000 : k === 22 ? 26 * 3_600_000 : k === 40 ? 17 * 60_000 : r() * 4 * 60_000;
    if (silentMs > 10 * 60_000) stale.push(id);
    const beats = o.beatsPerKiosk ?? 12;
    for (let b = beats - 1; b >= 0; b--) {
      const at = now - silentMs - b * 300_000;
      const beat: Heartbeat = {
        v: 1,
        kind: 'heartbeat',
        kioskId: id,
        group,
        version: k % 7 === 0 ? '1.3.2' : '1.4.0',
        host: 'electron',
        at: new Date(at).toISOString(),
        since: new Date(at - 300_000).toISOString(),
        bootAt: new Date(now - 5 * 86_400_000).toISOString(),
        uptimeSec: Math.round((at - (now - 5 * 86_400_000)) / 1000),
        seq: 1000 + (beats - b),
        crashRestart: false,
        health: {
          camera: { status: 'ok', code: 'OK' },
          printer: { status: 'ok', code: 'OK' },
          paper: paper < 60 ? { status: 'warn', code: 'PAPER_LOW' } : { status: 'ok', code: 'OK' },
          payment: { status: 'ok', code: 'OK' },
          ai: { status: 'ok', code: 'OK' },
          share: badUplink ? { status: 'error', code: 'UNREACHABLE' } : { status: 'ok', code: 'OK' },
          disk: { status: 'ok', code: 'OK' },
          clock: { status: 'ok', code: 'OK' },
        },
        paper: { remaining: paper, capacity: 700 },
        uploadsPending: badUplink ? 7 : 0,
        counters: { ...emptyCounters(), visitors: binom(r, 6, 0.5), consents: 0, paperUsed: 0 },
        settingsVersion: null,
        lastBackupAt: new Date(now - ((now / 3_600_000) % 24) * 3_600_000).toISOString(),
      };
      beat.counters.consents = beat.counters.visitors;
      const body = JSON.stringify(signKioskDoc(Heartbeat.parse(beat), id, key));
      puts.push({ key: keys.beat(new Date(at)), body });
      if (b === 0) puts.push({ key: keys.latest, body });
    }
    void printedTotal;
  }
  let i = 0;
  await Promise.all(Array.from({ length: o.concurrency ?? 16 }, async () => {
    while (i < puts.length) {
      const p = puts[i++]!;
      await oss.putBuffer(p.key, Buffer.from(p.body), 'application/json');
    }
  }));
  return { objects: puts.length, stale };
}
