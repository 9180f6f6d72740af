// A small seeded PRNG (mulberry32): the same seed must give the same picture, so a retried or
// re-rendered variant (after a crash, or for the print) is byte-for-byte the one the customer picked.
import { mulberry32 } from '../../../../shared/random';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  range(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  const next = mulberry32((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
  return {
    next,
    range: (min, max) => min + (max - min) * next(),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length) % items.length];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
  };
}
