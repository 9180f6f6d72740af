// Waiting screens ask for the order every second as well as listening for order:changed, so a
// dropped WebSocket never leaves a family staring at a frozen screen.
import { useEffect } from 'react';
import { getKiosk } from '../platform/bridge';
import { useFlow } from './flow';

export function usePollOrder(enabled = true, everyMs = 1000): void {
  const orderId = useFlow((s) => s.order?.id ?? null);
  useEffect(() => {
    if (!enabled || !orderId) return;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      void getKiosk()
        .invoke('order:get', { orderId })
        .then((r) => {
          if (r.ok) useFlow.getState().orderFrom('poll', r.value);
        })
        .finally(() => {
          inFlight = false;
        });
    }, everyMs);
    return () => clearInterval(timer);
  }, [enabled, orderId, everyMs]);
}
