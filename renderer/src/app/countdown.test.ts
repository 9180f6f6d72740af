import { describe, expect, it } from 'vitest';
import { countdownAt, formatClock, formatFen, secondsLeft } from './countdown';

describe('shutter countdown', () => {
  it('shows 3, 2, 1 a second apart, then shoots', () => {
    const seen = [0, 999, 1000, 1999, 2000, 2999].map((ms) => countdownAt(0, ms).value);
    expect(seen).toEqual([3, 3, 2, 2, 1, 1]);
    expect(countdownAt(0, 3000)).toEqual({ value: 0, done: true });
    expect(countdownAt(0, 60_000)).toEqual({ value: 0, done: true });
  });

  it('a clock that jumps backwards still starts at 3', () => {
    expect(countdownAt(5000, 4000)).toEqual({ value: 3, done: false });
  });
});

describe('payment countdown', () => {
  const now = Date.parse('2026-02-01T10:00:00Z');
  it('counts whole seconds to expiresAt and stops at zero', () => {
    expect(secondsLeft('2026-02-01T10:05:00Z', now)).toBe(300);
    expect(secondsLeft('2026-02-01T10:00:00.400Z', now)).toBe(1);
    expect(secondsLeft('2026-02-01T09:59:00Z', now)).toBe(0);
  });
  it('has no countdown without a valid deadline', () => {
    expect(secondsLeft(undefined, now)).toBeNull();
    expect(secondsLeft('soon', now)).toBeNull();
  });
  it('formats m:ss and prices in yuan', () => {
    expect(formatClock(300)).toBe('5:00');
    expect(formatClock(61)).toBe('1:01');
    expect(formatClock(-3)).toBe('0:00');
    expect(formatFen(990)).toBe('9.90');
    expect(formatFen(1990)).toBe('19.90');
    expect(formatFen(0)).toBe('0.00');
  });
});
