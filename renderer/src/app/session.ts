// Leaving a family's session: settle the order if it is unfinished, then forget everything.
import { getKiosk } from '../platform/bridge';
import { useFlow } from './flow';
import { settleCallFor } from './idle';
import { usePrefs } from './prefs';

/** Never waits long: a main process that does not answer must not keep the next family waiting. */
const SETTLE_WAIT_MS = 3000;

export async function endSession(): Promise<void> {
  const { order } = useFlow.getState();
  const call = settleCallFor(order?.state ?? null);
  if (order && call) {
    const settle = getKiosk().invoke(call, { orderId: order.id });
    await Promise.race([settle, new Promise((r) => setTimeout(r, SETTLE_WAIT_MS))]);
  }
  useFlow.getState().reset();
  usePrefs.getState().resetCustomer();
}
