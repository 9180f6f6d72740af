// The operator's hidden way in: five quick taps on the brand in the top bar.
import { useCallback, useRef } from 'react';
import { useFlow } from '../app/flow';

export const ADMIN_TAPS = 5;
export const ADMIN_WINDOW_MS = 3000;

/** Keeps the taps inside the window; returns the new list and whether the gesture is complete. */
export function registerTap(taps: readonly number[], now: number, need = ADMIN_TAPS, windowMs = ADMIN_WINDOW_MS): { taps: number[]; open: boolean } {
  const recent = [...taps.filter((t) => now - t < windowMs), now];
  if (recent.length >= need) return { taps: [], open: true };
  return { taps: recent, open: false };
}

export function useAdminGesture(): () => void {
  const taps = useRef<number[]>([]);
  return useCallback(() => {
    const r = registerTap(taps.current, Date.now());
    taps.current = r.taps;
    if (r.open) useFlow.getState().go('admin');
  }, []);
}
