// Returns the kiosk to the attract loop when nobody touches it, with a warning first.
import { useEffect, useState } from 'react';
import { useFlow } from './flow';
import { IDLE_WARNING_MS, idleDeadline } from './idle';
import { endSession } from './session';

const DEFAULT_IDLE_SEC = 90;

/** Seconds until the reset while the warning shows, else null. */
export function useIdleReset(): number | null {
  const phase = useFlow((s) => s.phase);
  const order = useFlow((s) => s.order);
  const lastActivity = useFlow((s) => s.lastActivity);
  const idleTimeoutSec = useFlow((s) => s.catalog?.settings.idleTimeoutSec ?? DEFAULT_IDLE_SEC);
  const [warning, setWarning] = useState<number | null>(null);

  useEffect(() => {
    const deadline = idleDeadline({ phase, order, lastActivityMs: lastActivity, idleTimeoutSec });
    if (deadline === null) {
      setWarning(null);
      return;
    }
    let ending = false;
    const check = () => {
      const left = deadline - Date.now();
      if (left <= 0) {
        if (!ending) {
          ending = true;
          setWarning(null);
          void endSession();
        }
      } else if (left <= IDLE_WARNING_MS) setWarning(Math.ceil(left / 1000));
      else setWarning(null);
    };
    check();
    const timer = setInterval(check, 500);
    return () => clearInterval(timer);
  }, [phase, order, lastActivity, idleTimeoutSec]);

  return warning;
}
