// What the providers answered: every call to payment, AI and upload is recorded as ok or failed
// (with the error's code), so the heartbeat can say "failures by provider and code" and the alerts
// can compute a success rate over the last 15 minutes. In memory: a restart loses at most one
// heartbeat's worth of counts (the daily summary's sales come from the database, not from here).

export type Provider = 'payment' | 'ai' | 'upload' | 'print' | 'motion';

interface Event {
  at: number;
  provider: Provider;
  ok: boolean;
}

export interface OutcomeCounts {
  calls: Partial<Record<Provider, { ok: number; failed: number }>>;
  failures: Partial<Record<Provider, Record<string, number>>>;
}

export class Outcomes {
  private events: Event[] = [];
  private counts: OutcomeCounts = { calls: {}, failures: {} };

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keepMs = 2 * 3_600_000,
  ) {}

  record(provider: Provider, ok: boolean, code?: string): void {
    const at = this.now();
    this.events.push({ at, provider, ok });
    if (this.events.length > 5000 || (this.events[0] && this.events[0].at < at - this.keepMs)) this.events = this.events.filter((e) => e.at >= at - this.keepMs).slice(-5000);
    const c = (this.counts.calls[provider] ??= { ok: 0, failed: 0 });
    if (ok) c.ok++;
    else {
      c.failed++;
      const f = (this.counts.failures[provider] ??= {});
      const k = (code || 'UNKNOWN').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
      f[k] = (f[k] ?? 0) + 1;
    }
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
