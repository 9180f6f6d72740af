// The kiosk's side of fleet monitoring: every few minutes a heartbeat (health of each part and the
// counters since the last beat), every hour today's summary, after midnight yesterday's final one.
// Sales come from the database (counters.ts); AI images, paper used and provider outcomes are
// accumulated here per day in a small state file, written atomically before anything is queued.
import { existsSync, readFileSync } from 'node:fs';
import type { HealthReport } from '../../../shared/contract';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import type { Db } from '../store/db';
import { businessCounters, dayBounds, localDay } from './counters';
import { DailySummary, DAYS_KEPT, DaysBundle, emptyCounters, fleetKeys, Heartbeat, HEALTH_PARTS, type Counters } from './docs';
import type { Outcomes, OutcomeCounts } from './outcomes';
import type { FleetOutbox } from './outbox';
import { signKioskDoc } from './sign';

const log = logger('fleet.reporter');

export interface ReporterDeps {
  kioskId: string;
  group: string;
  version: string;
  host: 'electron' | 'browser';
  prefix: string;
  db: Db;
  health: () => Promise<HealthReport>;
  outcomes: Outcomes;
  /** The AI cost guard's day (null when the generator is local and bills nothing). */
  aiToday: () => { day: string; images: number; spentFen: number } | null;
  /** Sheets printed since the paper counter was created (monotonic). */
  paperPrinted: () => number;
  uploadsPending: () => number;
  /** Null: OSS not configured; the reporter still keeps its day totals (for alerts and later). */
  outbox: FleetOutbox | null;
  /** Signing key of this kiosk (null: documents are not written — unsigned reports are refused by the report). */
  kioskKey: () => string | null;
  stateFile: string;
  bootAt: number;
  crashRestart: boolean;
  settingsVersion: () => string | null;
  lastBackupAt: () => string | null;
  now?: () => number;
}

interface DayTotals {
  aiImages: number;
  aiCostFen: number;
  paperUsed: number;
  calls: OutcomeCounts['calls'];
  failures: OutcomeCounts['failures'];
  heartbeats: number;
  crashRestarts: number;
}

interface State {
  seq: number;
  lastBeatAt: number | null;
  ai: { day: string; images: number; spentFen: number } | null;
  paperPrinted: number | null;
  days: Record<string, DayTotals>;
  /** Last day whose final summary was queued. */
  finalDone: string | null;
  lastDailyAt: number;
}

const emptyDay = (): DayTotals => ({ aiImages: 0, aiCostFen: 0, paperUsed: 0, calls: {}, failures: {}, heartbeats: 0, crashRestarts: 0 });

function addOutcomes(into: DayTotals, c: OutcomeCounts): void {
  for (const [p, v] of Object.entries(c.calls)) {
    const t = (into.calls[p as keyof typeof into.calls] ??= { ok: 0, failed: 0 });
    t.ok += v.ok;
    t.failed += v.failed;
  }
  for (const [p, codes] of Object.entries(c.failures)) {
    const t = (into.failures[p as keyof typeof into.failures] ??= {});
    for (const [k, n] of Object.entries(codes)) t[k] = (t[k] ?? 0) + n;
  }
}

/** Maps the health screen's items onto the parts the fleet reports (ai = generator, share = storage). */
export function healthParts(r: HealthReport): Heartbeat['health'] {
  const map: Record<string, (typeof HEALTH_PARTS)[number]> = { generator: 'ai', storage: 'share' };
  const out: Heartbeat['health'] = {};
  for (const i of r.items) {
    const part = map[i.id] ?? i.id;
    if ((HEALTH_PARTS as readonly string[]).includes(part)) out[part as (typeof HEALTH_PARTS)[number]] = { status: i.status, code: /^[A-Za-z0-9_.-]{1,40}$/.test(i.code) ? i.code : 'OTHER' };
  }
  return out;
}

export class FleetReporter {
  private state: State;
  private readonly now: () => number;
  private readonly keys: ReturnType<typeof fleetKeys>;
  private crashNoted = false;

  constructor(private readonly d: ReporterDeps) {
    this.now = d.now ?? Date.now;
    this.keys = fleetKeys(d.prefix, d.kioskId);
    this.state = this.load();
  }

  private load(): State {
    const fresh: State = { seq: 0, lastBeatAt: null, ai: null, paperPrinted: null, days: {}, finalDone: null, lastDailyAt: 0 };
    if (!existsSync(this.d.stateFile)) return fresh;
    try {
      return { ...fresh, ...(JSON.parse(readFileSync(this.d.stateFile, 'utf8')) as Partial<State>) };
    } catch (e) {
      log.error('state.unreadable', { file: this.d.stateFile, error: e as Error });
      return fresh;
    }
  }

  private save(): void {
    const keep = localDay(this.now() - 40 * 86_400_000);
    for (const day of Object.keys(this.state.days)) if (day < keep) delete this.state.days[day];
    writeFileAtomic(this.d.stateFile, JSON.stringify(this.state));
  }

  private day(day: string): DayTotals {
    return (this.state.days[day] ??= emptyDay());
  }

  /** One heartbeat: builds it, adds its deltas to the day, queues it (and summaries when due). */
  async beat(): Promise<Heartbeat> {
    const t = this.now();
    const today = localDay(t);
    const since = this.state.lastBeatAt ?? this.d.bootAt;
    const health = await this.d.health();

    // AI images billed since the last beat (the cost guard counts per calendar day).
    let aiImages = 0;
    let aiCostFen = 0;
    const ai = this.d.aiToday();
    if (ai) {
      const prev = this.state.ai;
      const same = prev && prev.day === ai.day;
      aiImages = Math.max(0, ai.images - (same ? prev.images : 0));
      aiCostFen = Math.max(0, ai.spentFen - (same ? prev.spentFen : 0));
      this.state.ai = ai;
    }
    const printed = this.d.paperPrinted();
    const paperUsed = this.state.paperPrinted === null ? 0 : Math.max(0, printed - this.state.paperPrinted);
    this.state.paperPrinted = printed;
    const outcomes = this.d.outcomes.take();

    const dt = this.day(today);
    dt.aiImages += aiImages;
    dt.aiCostFen += aiCostFen;
    dt.paperUsed += paperUsed;
    dt.heartbeats++;
    if (this.d.crashRestart && !this.crashNoted) dt.crashRestarts++;
    addOutcomes(dt, outcomes);

    const counters: Counters = {
      ...emptyCounters(),
      ...businessCounters(this.d.db, new Date(since).toISOString(), new Date(t).toISOString()),
      aiImages,
      aiCostFen,
      paperUsed,
      calls: outcomes.calls,
      failures: outcomes.failures,
    };
    const beat: Heartbeat = Heartbeat.parse({
      v: 1,
      kind: 'heartbeat',
      kioskId: this.d.kioskId,
      group: this.d.group,
      version: this.d.version,
      host: this.d.host,
      at: new Date(t).toISOString(),
      since: new Date(since).toISOString(),
      bootAt: new Date(this.d.bootAt).toISOString(),
      uptimeSec: Math.max(0, Math.round((t - this.d.bootAt) / 1000)),
      seq: ++this.state.seq,
      crashRestart: this.d.crashRestart && !this.crashNoted,
      health: healthParts(health),
      paper: { remaining: health.paper.remaining, capacity: health.paper.capacity },
      uploadsPending: this.d.uploadsPending(),
      counters,
      settingsVersion: this.d.settingsVersion(),
      lastBackupAt: this.d.lastBackupAt(),
    });
    this.crashNoted = true;
    this.state.lastBeatAt = t;
    const docs: { key: string; body: unknown; replaceable: boolean }[] = [
      { key: this.keys.latest, body: beat, replaceable: true },
      { key: this.keys.beat(new Date(t)), body: beat, replaceable: false },
    ];
    // Yesterday's final summary once, today's running one at most hourly.
    const yesterday = localDay(dayBounds(today)[0] - 1);
    if (this.state.finalDone !== yesterday && this.state.days[yesterday]) {
      docs.push({ key: this.keys.daily(yesterday), body: this.daily(yesterday, true), replaceable: true });
      this.state.finalDone = yesterday;
    }
    if (t - this.state.lastDailyAt >= 3_600_000 || localDay(this.state.lastDailyAt) !== today) {
      docs.push({ key: this.keys.daily(today), body: this.daily(today, false), replaceable: true });
      this.state.lastDailyAt = t;
    }
    if (docs.some((x) => x.key.includes('/daily/'))) docs.push({ key: this.keys.days, body: this.bundle(today), replaceable: true });
    this.save();
    this.write(docs);
    return beat;
  }

  /** The last DAYS_KEPT days' summaries in one document, so the fleet report reads one object per kiosk. */
  bundle(today: string): DaysBundle {
    const days = Object.keys(this.state.days)
      .filter((d) => d <= today)
      .sort()
      .slice(-DAYS_KEPT)
      .map((d) => this.daily(d, d !== today));
    return DaysBundle.parse({ v: 1, kind: 'days', kioskId: this.d.kioskId, at: new Date(this.now()).toISOString(), days });
  }

  /** The summary of a local day, from the database plus the day totals kept here. */
  daily(day: string, final: boolean): DailySummary {
    const [from, to] = dayBounds(day);
    const d = this.state.days[day] ?? emptyDay();
    return DailySummary.parse({
      ...businessCounters(this.d.db, new Date(from).toISOString(), new Date(to).toISOString()),
      aiImages: d.aiImages,
      aiCostFen: d.aiCostFen,
      paperUsed: d.paperUsed,
      calls: d.calls,
      failures: d.failures,
      v: 1,
      kind: 'daily',
      kioskId: this.d.kioskId,
      group: this.d.group,
      version: this.d.version,
      day,
      at: new Date(this.now()).toISOString(),
      final,
      heartbeats: d.heartbeats,
      crashRestarts: d.crashRestarts,
    });
  }

  private write(docs: { key: string; body: unknown; replaceable: boolean }[]): void {
    const key = this.d.kioskKey();
    if (!this.d.outbox) return;
    if (!key) {
      log.warn('not_signed', { reason: 'no fleet.kiosk-key in the secret store; heartbeats are not uploaded' });
      return;
    }
    for (const doc of docs) {
      const env = signKioskDoc(doc.body, this.d.kioskId, key);
      this.d.outbox.put(doc.key, JSON.stringify(env), 'application/json', { replaceable: doc.replaceable, priority: doc.replaceable ? 0 : 2 });
    }
  }
}
