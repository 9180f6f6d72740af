// Prints left on the roll/pack. Many dye-sub printers (Canon SELPHY, most over USB on Linux) report
// no media level at all, so counting is the only way to warn before the paper runs out. Persisted
// atomically as JSON so it survives restarts and power cuts.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';

const log = logger('print.paper');

export interface PaperState {
  capacity: number;
  remaining: number;
  /** Prints since the last refill. */
  printedSinceRefill: number;
  /** All prints counted by this kiosk (for the operator's sales/consumables check). */
  printedTotal: number;
  refilledAt: string | null;
  /** remaining < warnBelow: admin shows the refill prompt. */
  low: boolean;
  empty: boolean;
}

export interface PaperCounter {
  get(): PaperState;
  /** True when `copies` prints fit in what is left. */
  has(copies: number): boolean;
  /** Counts finished prints. Never goes below zero. */
  consume(copies: number): PaperState;
  /** Staff loaded a new roll: remaining = capacity (optionally a new capacity). */
  refill(capacity?: number): PaperState;
  /** Staff corrects the count by hand. */
  set(remaining: number): PaperState;
}

interface Stored {
  capacity: number;
  remaining: number;
  printedSinceRefill: number;
  printedTotal: number;
  refilledAt: string | null;
}

const nonNegInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

export function createPaperCounter(opts: { file: string; capacity: number; warnBelow: number; now?: () => Date }): PaperCounter {
  const now = opts.now ?? (() => new Date());
  let s: Stored = { capacity: opts.capacity, remaining: opts.capacity, printedSinceRefill: 0, printedTotal: 0, refilledAt: null };
  try {
    const raw = JSON.parse(readFileSync(opts.file, 'utf8')) as Partial<Stored>;
    if (nonNegInt(raw.capacity) && raw.capacity > 0 && nonNegInt(raw.remaining)) {
      s = {
        capacity: raw.capacity,
        remaining: Math.min(raw.remaining, raw.capacity),
        printedSinceRefill: nonNegInt(raw.printedSinceRefill) ? raw.printedSinceRefill : 0,
        printedTotal: nonNegInt(raw.printedTotal) ? raw.printedTotal : 0,
        refilledAt: typeof raw.refilledAt === 'string' ? raw.refilledAt : null,
      };
    } else {
      log.warn('counter.invalid', { file: opts.file });
    }
  } catch (e) {
    // First run (no file) starts full; a corrupt file also starts full rather than blocking sales,
    // and says so in the log so the operator can re-count.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('counter.unreadable', { file: opts.file, error: e });
  }

  const view = (): PaperState => ({ ...s, low: s.remaining < opts.warnBelow, empty: s.remaining === 0 });
  const save = (): PaperState => {
    writeFileAtomic(opts.file, JSON.stringify(s, null, 2));
    return view();
  };

  return {
    get: view,
    has: (copies) => s.remaining >= Math.max(1, Math.floor(copies)),
    consume(copies) {
      const n = Math.max(0, Math.floor(copies));
      s = { ...s, remaining: Math.max(0, s.remaining - n), printedSinceRefill: s.printedSinceRefill + n, printedTotal: s.printedTotal + n };
      const v = save();
      if (v.low) log.warn('paper.low', { remaining: v.remaining });
      return v;
    },
    refill(capacity) {
      const cap = capacity !== undefined && Number.isInteger(capacity) && capacity > 0 ? capacity : s.capacity;
      s = { ...s, capacity: cap, remaining: cap, printedSinceRefill: 0, refilledAt: now().toISOString() };
      log.info('paper.refilled', { capacity: cap });
      return save();
    },
    set(remaining) {
      const r = Math.max(0, Math.min(s.capacity, Math.floor(Number.isFinite(remaining) ? remaining : 0)));
      s = { ...s, remaining: r };
      return save();
    },
  };
}
