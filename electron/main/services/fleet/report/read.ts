// Reads the fleet from OSS for the report: per kiosk two objects, latest.json (the last heartbeat)
// and days.json (its last 35 daily summaries in one signed document) — never the heartbeat history
// (288 objects a day per kiosk) and not one object per day. So the cost grows with the number of
// kiosks only: 50 kiosks = 1 listing + 100 GETs, 1,000 kiosks = 1 listing + 2,000 GETs (~20 s at
// 16 parallel requests of ~150 ms to a real OSS region). For a period longer than 35 days, or a
// kiosk whose days.json is missing (older version), the per-day files are listed and read instead;
// final ones never change, so `--cache DIR` keeps them and a later run reads only what is new.
// Every document's signature is checked with the kiosk's derived key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DailySummary, DaysBundle, DAYS_KEPT, Heartbeat, fleetKeys } from '../docs';
import type { FleetOss } from '../objects';
import { verifyKioskDoc } from '../sign';

export const STALE_AFTER_MS = 10 * 60_000;

export interface KioskView {
  kioskId: string;
  latest: Heartbeat | null;
  /** Minutes since the last heartbeat (null: none found). */
  silentMin: number | null;
  stale: boolean;
  daily: DailySummary[];
  /** Documents whose signature or shape was refused (key: reason). */
  refused: { key: string; reason: string }[];
}

export interface FleetData {
  generatedAt: string;
  days: string[];
  kiosks: KioskView[];
  objectsRead: number;
  cacheHits: number;
  listRequests: number;
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

function lastDays(now: number, days: number): string[] {
  const out: string[] = [];
  const d = new Date(now);
  for (let i = days - 1; i >= 0; i--) {
    const x = new Date(d.getFullYear(), d.getMonth(), d.getDate() - i);
    out.push(`${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`);
  }
  return out;
}

export async function readFleet(oss: FleetOss, o: { masterKey: string; prefix?: string; days?: number; now?: number; concurrency?: number; cacheDir?: string }): Promise<FleetData> {
  const prefix = o.prefix ?? 'fleet/';
  const now = o.now ?? Date.now();
  const days = lastDays(now, o.days ?? 30);
  const wanted = new Set(days);
  const useBundle = days.length <= DAYS_KEPT;
  let objectsRead = 0;
  let cacheHits = 0;
  const top = await oss.list(prefix, { delimiter: '/' });
  let listRequests = top.requests;
  const ids = top.prefixes.map((p) => p.slice(prefix.length, -1)).filter((id) => id && id !== 'settings').sort();
  if (o.cacheDir) mkdirSync(o.cacheDir, { recursive: true });

  const verified = <T>(view: KioskView, key: string, body: Buffer | null, schema: { safeParse(v: unknown): { success: boolean; data?: T; error?: { issues: { message: string }[] } } }): T | null => {
    if (!body) return null;
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      view.refused.push({ key, reason: 'not JSON' });
      return null;
    }
    const v = verifyKioskDoc(json, o.masterKey, view.kioskId);
    if (!v.ok) {
      view.refused.push({ key, reason: v.reason });
      return null;
    }
    const p = schema.safeParse(v.payload);
    if (!p.success) {
      view.refused.push({ key, reason: `shape: ${p.error?.issues[0]?.message ?? 'invalid'}` });
      return null;
    }
    return p.data!;
  };

  const kiosks: KioskView[] = ids.map((kioskId) => ({ kioskId, latest: null, silentMin: null, stale: true, daily: [], refused: [] }));
  const jobs: { view: KioskView; key: string; cacheId?: string }[] = [];
  const needDaily: KioskView[] = [];
  // Pass 1: latest.json and days.json of every kiosk.
  await pool(kiosks, o.concurrency ?? 16, async (view) => {
    const keys = fleetKeys(prefix, view.kioskId);
    const [latest, days] = await Promise.all([oss.get(keys.latest), useBundle ? oss.get(keys.days) : Promise.resolve(null)]);
    objectsRead += useBundle ? 2 : 1;
    view.latest = verified(view, keys.latest, latest, Heartbeat);
    const bundle = useBundle ? verified(view, keys.days, days, DaysBundle) : null;
    if (bundle) {
      for (const d of bundle.days) if (wanted.has(d.day) && d.kioskId === view.kioskId) view.daily.push(d);
    } else needDaily.push(view);
  });
  // Pass 2 (fallback): list and read the per-day files of kiosks without a usable days.json.
  await pool(needDaily, o.concurrency ?? 16, async (view) => {
    const keys = fleetKeys(prefix, view.kioskId);
    const l = await oss.list(keys.dailyPrefix);
    listRequests += l.requests;
    for (const obj of l.objects) {
      const day = obj.key.slice(keys.dailyPrefix.length, -'.json'.length);
      if (wanted.has(day)) jobs.push({ view, key: obj.key, cacheId: `${obj.key}@${obj.lastModified}@${obj.size}` });
    }
  });
  const cacheFile = (id: string) => join(o.cacheDir!, encodeURIComponent(id));
  await pool(jobs, o.concurrency ?? 16, async (j) => {
    let body: Buffer | null = null;
    if (j.cacheId && o.cacheDir && existsSync(cacheFile(j.cacheId))) {
      body = readFileSync(cacheFile(j.cacheId));
      cacheHits++;
    } else {
      body = await oss.get(j.key);
      objectsRead++;
    }
    {
      const d = verified(j.view, j.key, body, DailySummary);
      if (d) {
        j.view.daily.push(d);
        // Only final days are immutable; today's summary is rewritten hourly.
        if (d.final && o.cacheDir && j.cacheId && body) writeFileSync(cacheFile(j.cacheId), body);
      }
    }
  });
  for (const k of kiosks) {
    k.daily.sort((a, b) => a.day.localeCompare(b.day));
    if (k.latest) {
      k.silentMin = Math.max(0, Math.round((now - Date.parse(k.latest.at)) / 60_000));
      k.stale = now - Date.parse(k.latest.at) > STALE_AFTER_MS;
    }
  }
  return { generatedAt: new Date(now).toISOString(), days, kiosks, objectsRead, cacheHits, listRequests };
}
