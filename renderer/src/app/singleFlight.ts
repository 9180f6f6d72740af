// A tap while the same action is still running is dropped, not queued: a double tap on "pay"
// or "shoot" must start one thing. Synchronous, so two taps in the same frame are caught too.
export interface SingleFlight<A extends unknown[]> {
  /** Runs fn unless a run is in flight; resolves false when the tap was dropped. */
  run(...args: A): Promise<boolean>;
  readonly busy: boolean;
}

export function singleFlight<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): SingleFlight<A> {
  let inFlight = false;
  return {
    async run(...args: A): Promise<boolean> {
      if (inFlight) return false;
      inFlight = true;
      try {
        await fn(...args);
        return true;
      } finally {
        inFlight = false;
      }
    },
    get busy() {
      return inFlight;
    },
  };
}
