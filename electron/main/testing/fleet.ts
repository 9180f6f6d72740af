// Test kit for the fleet service: a paid, delivered order through the real order service, a fake
// OSS with a fleet bucket, and the OSS settings that point the real ali-oss adapter at it.
import { OssConfig } from '../services/share/oss/config';
import { startFakeOss, type FakeOss } from '../../sim/oss/fakeOss';
import type { HealthReport } from '../../shared/contract';
import { solidJpeg, until, type Harness } from './orders';

export const FLEET_BUCKET = 'fleet-test';
export const FLEET_AK = { accessKeyId: 'LTAI-fleet', accessKeySecret: 'fleet-secret' };

export async function fleetOss(opts: { dataDir?: string } = {}): Promise<{ fake: FakeOss; config: OssConfig }> {
  const fake = await startFakeOss({ buckets: [FLEET_BUCKET], credentials: [FLEET_AK], dataDir: opts.dataDir });
  const config = OssConfig.parse({ endpoint: fake.url, bucket: FLEET_BUCKET, ...FLEET_AK, pathStyle: true, linkSecret: 'l'.repeat(40), timeoutMs: 5000 });
  return { fake, config };
}

/** Consent → photo → four variants → pick → paid (simulated wallet) → delivered. Returns the order id. */
export async function paidOrder(h: Harness, packageId = 'print'): Promise<string> {
  const s = h.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.session.startGeneration(o.id);
  await until(() => s.deps.repo.order(o.id)?.state === 'generated', 'four variants');
  await s.session.pick(o.id, 1);
  await s.money.start(o.id, packageId, async () => ({ ready: true }));
  const { token } = h.db.prepare('SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(o.id) as { token: string };
  h.sim.confirm(token);
  await until(() => h.repo.order(o.id)?.state === 'delivered', 'delivered');
  return o.id;
}

/** A health report with every part as given (default ok); paper as given. */
export function healthReport(over: Record<string, [HealthReport['items'][number]['status'], string]> = {}, paper = { remaining: 500, capacity: 700 }): HealthReport {
  const ids = ['camera', 'printer', 'paper', 'network', 'generator', 'payment', 'storage', 'disk', 'clock', 'version'] as const;
  return {
    checkedAt: new Date().toISOString(),
    items: ids.map((id) => {
      const [status, code] = over[id] ?? ['ok', 'OK'];
      return { id, status, code, detail: `${id} detail` };
    }),
    unavailable: [],
    paper: { ...paper, low: paper.remaining < 30, printedTotal: 0 },
  };
}
