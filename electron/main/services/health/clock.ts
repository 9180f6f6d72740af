// Clock sanity. WeChat Pay APIv3 rejects a signature whose timestamp is more than 5 minutes off,
// Volcengine's V4 signature (X-Date) and OSS signed URLs fail the same way: a wrong kiosk clock
// shows up as "payment failed" and "AI service refused". The reference is the Date header of the
// last HTTP answer from a provider; without one, only an obviously impossible date is flagged.
export const CLOCK_ERROR_MS = 5 * 60_000;
export const CLOCK_WARN_MS = 60_000;
/** Earlier than this build could have been made: the clock battery is flat or the time was reset. */
export const EARLIEST_PLAUSIBLE = Date.UTC(2025, 0, 1);

export interface ClockReading {
  /** Server time minus local time, ms (positive: the kiosk is slow). */
  skewMs: number;
  source: string;
  at: string;
}

export class ClockWatch {
  private last: ClockReading | null = null;
  constructor(private readonly now: () => number = Date.now) {}

  /** Records an HTTP Date header seen from `source` (one-second resolution, so ±1 s is noise). */
  noteDateHeader(date: string | undefined, source: string): void {
    if (!date) return;
    const server = Date.parse(date);
    if (!Number.isFinite(server)) return;
    const local = this.now();
    this.last = { skewMs: server - local, source, at: new Date(local).toISOString() };
  }

  reading(): ClockReading | null {
    return this.last;
  }

  status(): { status: 'ok' | 'warn' | 'error' | 'unknown'; code: string; detail: string } {
    const local = this.now();
    if (local < EARLIEST_PLAUSIBLE) {
      return { status: 'error', code: 'CLOCK_WRONG', detail: `local clock says ${new Date(local).toISOString()}` };
    }
    if (!this.last) return { status: 'unknown', code: 'NO_REFERENCE', detail: 'no provider answered yet; local time ' + new Date(local).toISOString() };
    const s = Math.round(this.last.skewMs / 1000);
    const detail = `kiosk clock is ${Math.abs(s)} s ${s > 0 ? 'behind' : 'ahead of'} ${this.last.source}`;
    const abs = Math.abs(this.last.skewMs);
    if (abs > CLOCK_ERROR_MS) return { status: 'error', code: 'CLOCK_WRONG', detail };
    if (abs > CLOCK_WARN_MS) return { status: 'warn', code: 'CLOCK_SKEW', detail };
    return { status: 'ok', code: 'OK', detail };
  }
}
