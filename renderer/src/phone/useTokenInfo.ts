// Loads what a phone page's capability token gives access to (once per token), or the error
// (expired, unknown) to show instead.
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import type { KioskError, Result } from '../../../electron/shared/result';

export function useTokenInfo<T>(
  load: () => Promise<Result<T>>,
  deps: readonly unknown[],
): [T | null, Dispatch<SetStateAction<T | null>>, KioskError | null, Dispatch<SetStateAction<KioskError | null>>] {
  const [info, setInfo] = useState<T | null>(null);
  const [error, setError] = useState<KioskError | null>(null);
  useEffect(() => {
    let stop = false;
    void load().then((r) => {
      if (stop) return;
      if (r.ok) setInfo(r.value);
      else setError(r.error);
    });
    return () => {
      stop = true;
    };
  }, deps);
  return [info, setInfo, error, setError];
}
