// Keeps the AI bill predictable: calls and billed images counted per order and per day, a daily
// budget, a per-order call cap and a per-session regeneration cap. When a limit is reached the kiosk
// says so (KioskFailure with a Chinese message) instead of calling the service.
// Persistence: a small JSON file under the data dir (<dataDir>/ai-cost.json) written with
// writeFileAtomic, so a restart does not reset the day's spend; or any injected CostStore.
import { existsSync, readFileSync } from 'node:fs';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';

const log = logger('generator.cost');

export interface CostLimits {
  /** What one billed output image costs (fen). */
  priceFenPerImage: number;
  /** Spend per calendar day (fen); 0 = unlimited. */
  dailyBudgetFen: number;
  /** Submits one order may make (supplementary requests and regenerations included). */
  maxCallsPerOrder: number;
  /** Regenerations per order; the first generation is not one. */
  regenerationsPerOrder: number;
}

export interface OrderUsage {
  calls: number;
  images: number;
  generations: number;
}

export interface CostState {
  day: string;
  calls: number;
  images: number;
  orders: Record<string, OrderUsage & { day: string }>;
}

export interface CostStore {
  load(): CostState | null;
  save(state: CostState): void;
}

/** JSON file store; a corrupt file is logged and treated as empty rather than blocking the kiosk. */
export function fileCostStore(path: string): CostStore {
  return {
    load() {
      if (!existsSync(path)) return null;
      try {
        const s = JSON.parse(readFileSync(path, 'utf8')) as CostState;
        if (typeof s.day !== 'string' || typeof s.calls !== 'number' || typeof s.images !== 'number' || typeof s.orders !== 'object') {
          throw new Error('unexpected shape');
        }
        return s;
      } catch (e) {
        log.error('cost-file-unreadable', { path, error: e as Error });
        return null;
      }
    },
    save(state) {
      writeFileAtomic(path, JSON.stringify(state));
    },
  };
}

export function memoryCostStore(): CostStore {
  let s: CostState | null = null;
  return { load: () => (s ? structuredClone(s) : null), save: (x) => void (s = structuredClone(x)) };
}

/** Local calendar day (the kiosk's time zone is the mall's). */
function dayOf(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export type CallCheck = { ok: true } | { ok: false; scope: 'day' | 'order'; failure: KioskFailure };

export class CostGuard {
  private state: CostState;
  /** Submits whose outcome is not known yet: reserved against the budget so parallel calls cannot overshoot it. */
  private pending = 0;
  private readonly pendingByOrder = new Map<string, number>();

  constructor(
    private readonly limits: CostLimits,
    private readonly store: CostStore = memoryCostStore(),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = store.load() ?? { day: dayOf(now()), calls: 0, images: 0, orders: {} };
    this.rollover();
  }

  /** Call when the customer starts (or restarts) generation. Throws when the regeneration cap or the day's budget is reached. */
  startGeneration(orderId: string): void {
    this.rollover();
    const o = this.order(orderId);
    if (o.generations > this.limits.regenerationsPerOrder) {
      throw new KioskFailure('REGENERATION_LIMIT', `每单最多可重新生成 ${this.limits.regenerationsPerOrder} 次，请从已生成的照片中选择`);
    }
    const day = this.checkDay();
    if (!day.ok) throw day.failure;
    o.generations++;
    this.save();
  }

  /**
   * A generation that delivered nothing must not use up the customer's regeneration: the kiosk offers
   * a free retry instead (issue: "never zero without an explanation and a free retry").
   */
  forgiveGeneration(orderId: string): void {
    const o = this.state.orders[orderId];
    if (!o || o.generations === 0) return;
    o.generations--;
    this.save();
  }

  /**
   * Before each variant request: may this order call the service now? When ok, one image is reserved
   * against the day's budget (so parallel requests cannot overshoot it) until settle() is called.
   */
  reserve(orderId: string): CallCheck {
    this.rollover();
    const day = this.checkDay();
    if (!day.ok) return day;
    const o = this.order(orderId);
    if (o.calls + this.pendingOf(orderId) >= this.limits.maxCallsPerOrder) {
      log.warn('order-call-cap', { orderId, calls: o.calls });
      return { ok: false, scope: 'order', failure: new KioskFailure('ORDER_CALL_CAP', '本单生成次数已达上限', false) };
    }
    this.pending++;
    this.pendingByOrder.set(orderId, this.pendingOf(orderId) + 1);
    return { ok: true };
  }

  /** A submit created a task (it may be billed). */
  recordCall(orderId: string): void {
    this.rollover();
    this.state.calls++;
    this.order(orderId).calls++;
    this.save();
  }

  /** Ends a reservation: `images` billed output images came back (0 when none). */
  settle(orderId: string, images: number): void {
    this.rollover();
    this.pending = Math.max(0, this.pending - 1);
    this.pendingByOrder.set(orderId, Math.max(0, this.pendingOf(orderId) - 1));
    if (this.pendingOf(orderId) === 0) this.pendingByOrder.delete(orderId);
    this.state.images += images;
    this.order(orderId).images += images;
    this.save();
  }

  usage(orderId: string): OrderUsage {
    const o = this.state.orders[orderId];
    return { calls: o?.calls ?? 0, images: o?.images ?? 0, generations: o?.generations ?? 0 };
  }

  today(): { day: string; calls: number; images: number; spentFen: number; budgetFen: number } {
    this.rollover();
    return {
      day: this.state.day,
      calls: this.state.calls,
      images: this.state.images,
      spentFen: this.state.images * this.limits.priceFenPerImage,
      budgetFen: this.limits.dailyBudgetFen,
    };
  }

  private pendingOf(orderId: string): number {
    return this.pendingByOrder.get(orderId) ?? 0;
  }

  private checkDay(): CallCheck {
    if (this.limits.dailyBudgetFen <= 0) return { ok: true };
    const committed = (this.state.images + this.pending + 1) * this.limits.priceFenPerImage;
    if (committed > this.limits.dailyBudgetFen) {
      log.warn('daily-budget-reached', { spentFen: this.state.images * this.limits.priceFenPerImage, budgetFen: this.limits.dailyBudgetFen });
      return { ok: false, scope: 'day', failure: new KioskFailure('AI_DAILY_BUDGET', '今日 AI 生成名额已满，请明天再来，或请工作人员协助', false) };
    }
    return { ok: true };
  }

  private order(orderId: string): OrderUsage & { day: string } {
    const o = (this.state.orders[orderId] ??= { calls: 0, images: 0, generations: 0, day: this.state.day });
    o.day = this.state.day;
    return o;
  }

  /** A new day starts a new budget; orders last touched before the previous day are forgotten (a session spanning midnight keeps its caps). */
  private rollover(): void {
    const today = dayOf(this.now());
    if (this.state.day === today) return;
    const kept: CostState['orders'] = {};
    for (const [id, o] of Object.entries(this.state.orders)) if (o.day === this.state.day) kept[id] = o;
    this.state = { day: today, calls: 0, images: 0, orders: kept };
    this.save();
  }

  private save(): void {
    try {
      this.store.save(this.state);
    } catch (e) {
      // Counting must not take generation down; the in-memory state still enforces the limits.
      log.error('cost-save-failed', { error: e as Error });
    }
  }
}
