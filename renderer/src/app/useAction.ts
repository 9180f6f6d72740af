// Runs one bridge call for a button: ignores taps while it is in flight (singleFlight, so even two
// taps in the same frame start it once), keeps the error for a kind message and a retry.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { KioskError, Result } from '../../../electron/shared/result';
import { singleFlight, type SingleFlight } from './singleFlight';

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<void>;
  retry: () => void;
  clear: () => void;
  busy: boolean;
  error: KioskError | null;
}

export function useAction<A extends unknown[], T>(
  call: (...args: A) => Promise<Result<T>>,
  onOk?: (value: T, ...args: A) => void,
): Action<A> {
  const mounted = useRef(true);
  const lastArgs = useRef<A | null>(null);
  const callRef = useRef(call);
  const okRef = useRef(onOk);
  callRef.current = call;
  okRef.current = onOk;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskError | null>(null);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const flight = useRef<SingleFlight<A> | null>(null);
  flight.current ??= singleFlight(async (...args: A) => {
    lastArgs.current = args;
    setBusy(true);
    setError(null);
    try {
      const r = await callRef.current(...args);
      if (!mounted.current) return;
      if (r.ok) okRef.current?.(r.value, ...args);
      else setError(r.error);
    } catch (e) {
      // A bug in a handler must not leave the button dead.
      console.error('action failed', e);
      if (mounted.current) setError({ code: 'INTERNAL', message: '', retryable: true });
    } finally {
      if (mounted.current) setBusy(false);
    }
  });

  const run = useCallback(async (...args: A) => {
    await flight.current?.run(...args);
  }, []);

  const retry = useCallback(() => {
    if (lastArgs.current) void run(...lastArgs.current);
  }, [run]);
  const clear = useCallback(() => setError(null), []);

  return { run, retry, clear, busy, error };
}
