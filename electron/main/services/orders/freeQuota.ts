// The free try's cap, where the kiosk can enforce it: a daily budget of free pictures per kiosk
// and a cool-down between two of them. There is no per-person cap on purpose: the kiosk knows no
// customer identity (no account, no phone number before payment) and inventing one (face
// matching, device fingerprints) would keep biometric data the consent says is not kept.
// The count lives in the audit log (one 'free_try' row per try, 'free_try_forgiven' when the try
// produced nothing), so it survives a restart and needs no table of its own.
import type { KioskConfig } from '../config';
import type { Db } from '../store/db';

export type FreeVerdict = { ok: true } | { ok: false; code: 'FREE_DAILY_SPENT' | 'FREE_COOLDOWN' | 'FREE_OFF'; message: string };

/** Local midnight (the kiosk's time zone is the mall's) as an ISO instant, for comparing with audit_log.at. */
function startOfDay(now: Date): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export class FreeQuota {
  constructor(
    private readonly db: Db,
    private readonly config: KioskConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Free tries made today (forgiven ones not counted). */
  usedToday(): number {
    const since = startOfDay(this.now());
    const row = this.db
      .prepare(
        "SELECT SUM(CASE action WHEN 'free_try' THEN 1 ELSE -1 END) AS n FROM audit_log WHERE action IN ('free_try', 'free_try_forgiven') AND at >= ?",
      )
      .get(since) as { n: number | null };
    return Math.max(0, row.n ?? 0);
  }

  check(): FreeVerdict {
    const { freeDailyBudget, freeCooldownSec } = this.config.sale;
    if (freeDailyBudget <= 0) return { ok: false, code: 'FREE_OFF', message: '本机不提供免费体验，付款后为您生成' };
    if (this.usedToday() >= freeDailyBudget) return { ok: false, code: 'FREE_DAILY_SPENT', message: '今日免费体验名额已用完，付款后为您生成' };
    if (freeCooldownSec > 0) {
      const last = this.db.prepare("SELECT MAX(at) AS at FROM audit_log WHERE action = 'free_try'").get() as { at: string | null };
      if (last.at && this.now().getTime() - new Date(last.at).getTime() < freeCooldownSec * 1000) {
        return { ok: false, code: 'FREE_COOLDOWN', message: '免费体验稍后再开放，付款后可立即为您生成' };
      }
    }
    return { ok: true };
  }

  /** Counted inside the transaction that starts the try (written before the AI is asked). */
  take(orderId: string): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, order_id, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(this.now().toISOString(), 'customer', 'free_try', orderId, '{}');
  }

  /** A try that produced no picture gives its place back. */
  forgive(orderId: string): void {
    this.db
      .prepare('INSERT INTO audit_log (at, actor, action, order_id, details_json) VALUES (?, ?, ?, ?, ?)')
      .run(this.now().toISOString(), 'system', 'free_try_forgiven', orderId, '{}');
  }

  /** Whether this order had its free try (the free package may only deliver a try that was made). */
  hadTry(orderId: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM audit_log WHERE order_id = ? AND action = 'free_try' LIMIT 1").get(orderId);
  }
}
