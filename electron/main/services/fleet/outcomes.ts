// What the providers answered: every call to payment, AI and upload is recorded as ok or failed
// (with the error's code), so the heartbeat can say "failures by provider and code" and the alerts
// can compute a success rate over the last 15 minutes. Kept in a small file (when given one) so a
// restart loses neither the 15-minute window nor the counts since the last beat: written at most
// every `flushMs` after a call (a crash loses at most that much), at once when a beat takes the
// counts (so they are never counted twice), and on stop. Bounded: 5,000 events within 2 hours,
// 50 codes per provider.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';

const log = logger('fleet.outcomes');

export type Provider = 'payment' | 'ai' | 'upload' | 'print' | 'motion';
const PROVIDERS: readonly Provider[] = ['payment', 'ai', 'upload', 'print', 'motion'];

interface Event {
  at: number;
  provider: Provider;
  ok: boolean;
}

export interface OutcomeCounts {
  calls: Partial<Record<Provider, { ok: number; failed: number }>>;
  failures: Partial<Record<Provider, Record<string, number>>>;
}

export interface OutcomesOptions {
  now?: () => number;
  keepMs?: number;
  /** Where the window and the counts survive a restart; none = memory only (tests, the CLI). */
  file?: string;
  flushMs?: number;
}

const MAX_EVENTS = 5000;
const MAX_CODES = 50;

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** The saved file, checked field by field: anything odd is dropped, never trusted. */
function readSaved(file: string, from: number): { events: Event[]; counts: OutcomeCounts } {
  const empty = { events: [], counts: { calls: {}, failures: {} } };
  if (!existsSync(file)) return empty;
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { v?: unknown; events?: unknown; counts?: OutcomeCounts };
    if (raw.v !== 1) return empty;
    const events: Event[] = [];
    for (const e of Array.isArray(raw.events) ? (raw.events as unknown[]).slice(-MAX_EVENTS) : []) {
      if (!Array.isArray(e) || !isCount(e[0]) || e[0] < from || !PROVIDERS.includes(e[1] as Provider)) continue;
      events.push({ at: e[0], provider: e[1] as Provider, ok: e[2] === 1 });
    }
    const counts: OutcomeCounts = { calls: {}, failures: {} };
    for (const p of PROVIDERS) {
      const c = raw.counts?.calls?.[p];
      if (c && isCount(c.ok) && isCount(c.failed)) counts.calls[p] = { ok: c.ok, failed: c.failed };
      const f = raw.counts?.failures?.[p];
      if (f && typeof f === 'object') {
        const codes = Object.entries(f).filter(([k, n]) => /^[A-Za-z0-9_.-]{1,40}$/.test(k) && isCount(n)).slice(0, MAX_CODES);
        if (codes.length) counts.failures[p] = Object.fromEntries(codes);
      }
    }
    return { events, counts };
  } catch (e) {
    log.error('file.unreadable', { error: e as Error });
    return empty;
  }
}

export class Outcomes {
  private events: Event[] = [];
  private counts: OutcomeCounts = { calls: {}, failures: {} };
  private readonly now: () => number;
  private readonly keepMs: number;
  private readonly file: string | null;
  private readonly flushMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(o: OutcomesOptions | (() => number) = {}, keepMs?: number) {
    const opts = typeof o === 'function' ? { now: o, keepMs } : o;
    this.now = opts.now ?? Date.now;
    this.keepMs = opts.keepMs ?? 2 * 3_600_000;
    this.file = opts.file ?? null;
    this.flushMs = opts.flushMs ?? 2_000;
    if (this.file) {
      const saved = readSaved(this.file, this.now() - this.keepMs);
      this.events = saved.events;
      this.counts = saved.counts;
    }
  }

  record(provider: Provider, ok: boolean, code?: string): void {
    const at = this.now();
    this.events.push({ at, provider, ok });
    if (this.events.length > MAX_EVENTS || (this.events[0] && this.events[0].at < at - this.keepMs)) this.events = this.events.filter((e) => e.at >= at - this.keepMs).slice(-MAX_EVENTS);
    const c = (this.counts.calls[provider] ??= { ok: 0, failed: 0 });
    if (ok) c.ok++;
    else {
      c.failed++;
      const f = (this.counts.failures[provider] ??= {});
      let k = (code || 'UNKNOWN').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
      // A provider inventing a new code per call must not grow the heartbeat (or the file) without end.
      if (!(k in f) && Object.keys(f).length >= MAX_CODES - 1) k = 'OTHER';
      f[k] = (f[k] ?? 0) + 1;
    }
    this.schedule();
  }
  /** Success rate of `provider` over the last `windowMs` (null without calls). */
  rate(provider: Provider, windowMs: number): { calls: number; failed: number; rate: number | null } {
    const from = this.now() - windowMs;
    let calls = 0;
    let failed = 0;
    for (const e of this.events) {
      if (e.provider !== provider || e.at < from) continue;
      calls++;
      if (!e.ok) failed++;
    }
    return { calls, failed, rate: calls ? (calls - failed) / calls : null };
  }

  /** Counts since the last call of take() (the heartbeat's "since the last beat"). */
  take(): OutcomeCounts {
    const c = this.counts;
    this.counts = { calls: {}, failures: {} };
    this.flush();
    return c;
  }

  /** Puts counts back (the beat could not be written). */
  giveBack(c: OutcomeCounts): void {
    for (const [p, v] of Object.entries(c.calls) as [Provider, { ok: number; failed: number }][]) {
      const t = (this.counts.calls[p] ??= { ok: 0, failed: 0 });
      t.ok += v.ok;
      t.failed += v.failed;
    }
    for (const [p, codes] of Object.entries(c.failures) as [Provider, Record<string, number>][]) {
      const t = (this.counts.failures[p] ??= {});
      for (const [k, n] of Object.entries(codes)) t[k] = (t[k] ?? 0) + n;
    }
    this.flush();
  }

  /** Writes the window and the counts now (a beat took them, or the kiosk stops). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file) return;
    const from = this.now() - this.keepMs;
    const events = this.events.filter((e) => e.at >= from).map((e) => [e.at, e.provider, e.ok ? 1 : 0]);
    try {
      writeFileAtomic(this.file, JSON.stringify({ v: 1, events, counts: this.counts }));
    } catch (e) {
      // Counting must never break a sale: the counts stay in memory and the next write tries again.
      log.error('file.write_failed', { error: e as Error });
    }
  }

  private schedule(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref();
  }
}

function codeOf(e: unknown): string {
  const x = e as { code?: unknown; name?: unknown } | null;
  if (x && typeof x.code === 'string' && x.code) return x.code;
  if (x && typeof x.name === 'string' && x.name && x.name !== 'Error') return x.name;
  return 'ERROR';
}

/**
 * The same object, with every method that returns a promise recorded as one call of `provider`
 * (resolved = ok, rejected = failed with the error's code). Other properties pass through, so the
 * order service cannot tell the difference. `skip` lists methods that are not provider calls.
 */
export function observe<T extends object>(target: T, provider: Provider, outcomes: Outcomes, skip: string[] = []): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string' || skip.includes(prop) || prop === 'constructor') return v;
      return function (this: unknown, ...args: unknown[]) {
        const r = (v as (...a: unknown[]) => unknown).apply(t, args);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          return (r as Promise<unknown>).then(
            (x) => {
              outcomes.record(provider, true);
              return x;
            },
            (e: unknown) => {
              outcomes.record(provider, false, codeOf(e));
              throw e;
            },
          );
        }
        return r;
      };
    },
  });
}
