// Time arithmetic for the 3-2-1 shutter countdown and the payment countdown; pure, so testable.

export interface CountdownTick {
  /** Number to show (3, 2, 1); 0 once it is time to shoot. */
  value: number;
  done: boolean;
}

export function countdownAt(startedAtMs: number, nowMs: number, from = 3, stepMs = 1000): CountdownTick {
  const elapsed = Math.max(0, nowMs - startedAtMs);
  const value = Math.max(0, from - Math.floor(elapsed / stepMs));
  return { value, done: value === 0 };
}

/** Whole seconds left until an ISO time (never negative); null when there is no valid deadline. */
export function secondsLeft(expiresAt: string | null | undefined, nowMs: number): number | null {
  if (!expiresAt) return null;
  const t = Date.parse(expiresAt);
  if (!Number.isFinite(t)) return null;
  return Math.max(0, Math.ceil((t - nowMs) / 1000));
}

export function formatClock(totalSec: number): string {
  const s = Math.max(0, Math.floor(totalSec));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** ¥ amounts: fen → "19.90". */
export function formatFen(fen: number): string {
  return (Math.max(0, Math.round(fen)) / 100).toFixed(2);
}
