// The browser host as the fault soak runs it (bench/soak.ts): the real composition root and HTTP
// host, plus the three faults only a process can inject into itself, driven by IPC messages from
// the soak: a full disk (ENOSPC) for the next N writes of a delivered picture, a wall-clock
// offset (the clock jumps ±1 h; timers are monotonic and do not jump), and a fast sweeper.
// Not a production entry point: it lives in bench/ and is never bundled.
import { join } from 'node:path';
import { createKiosk } from '../../electron/main/app';
import { BrowserHost } from '../../electron/browser-host/server';
import { enospc, setWriteFault } from '../../electron/main/infra/files';
import { dataDir, resourcePaths } from '../../electron/main/infra/paths';

// ---- clock offset: every `new Date()` and `Date.now()` of the host reads the shifted clock.
let offsetMs = 0;
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [string | number]));
  }
  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = ShiftedDate as unknown as DateConstructor;

// ---- full disk for the delivered picture (results/<orderId>/final.jpg).
let fullDiskWrites = 0;
let fullDiskHits = 0;
setWriteFault((path) => {
  if (fullDiskWrites <= 0 || !path.endsWith('final.jpg')) return null;
  fullDiskWrites--;
  fullDiskHits++;
  return enospc(path);
});

export type SoakHostMessage = { clockOffsetMs?: number; fullDiskWrites?: number; id?: number };

async function main(): Promise<void> {
  const resources = resourcePaths();
  const kiosk = await createKiosk({
    dataDir: dataDir(),
    host: 'browser',
    version: 'soak',
    resources,
    // The production waits shortened so a soak of a thousand orders takes minutes, not hours.
    timing: { pollFastMs: 250, pollSlowMs: 500, retryMs: 150, refundRecheckMs: 300, deliveryBackoffMs: [300, 800, 1500] },
  });
  const host = new BrowserHost(kiosk, { rendererDir: resources.rendererDir, samplesDir: join(resources.assetsDir, 'samples') });
  const url = await host.listen(0);
  // The sweeper (closes, refunds, delivery retries) every half second instead of every minute.
  setInterval(() => kiosk.orders.sweep(), 500).unref();
  process.on('message', (m: SoakHostMessage) => {
    if (m.clockOffsetMs !== undefined) offsetMs = m.clockOffsetMs;
    if (m.fullDiskWrites !== undefined) fullDiskWrites = m.fullDiskWrites;
    process.send?.({ id: m.id, fullDiskHits, offsetMs });
  });
  console.log(`KIOSK_URL=${url}`);
  const stop = async () => {
    await host.close();
    await kiosk.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
}

main().catch((e) => {
  console.error(`soak host failed to start: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
