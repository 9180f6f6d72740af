// Back up, wipe, restore: the orders and the sales report on the new machine are the same.
// Through the real ali-oss adapter to the fake OSS; the key is derived from the fleet master key.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../testing/orders';
import { FLEET_BUCKET, fleetOss, paidOrder } from '../../testing/fleet';
import type { FakeOss } from '../../../sim/oss/fakeOss';
import { listOrders, salesReport } from '../admin/reports';
import { openDb } from '../store/db';
import { decryptBackup, deriveBackupKey, restoreBackup, runBackup } from './backup';
import { createFleetOss } from './objects';

const MASTER = 'backup-test-master-key-0123456789abcdef';
let h: Harness | undefined;
let fake: FakeOss | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.close();
  await fake?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  h = undefined;
  fake = undefined;
});

describe('nightly backup', () => {
  it('back up, wipe the machine, restore on a new one: same orders, same sales report', async () => {
    const kioskDir = mkdtempSync(join(tmpdir(), 'fleet-bk-'));
    dirs.push(kioskDir);
    h = harness({ dir: kioskDir });
    await paidOrder(h, 'print');
    await paidOrder(h, 'digital');
    const x = await fleetOss();
    fake = x.fake;
    const oss = createFleetOss(x.config);
    const keyHex = deriveBackupKey(MASTER, 'mall-a-01');
    const before = { orders: listOrders(h.db, { all: true }), sales: salesReport(h.db, { capFen: 50_000 }) };
    expect(before.sales.today.orders).toBe(2);

    // Several nights: only the newest 3 are kept.
    let t = Date.parse('2026-02-01T19:00:00Z');
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await runBackup({ db: h.db, kioskId: 'mall-a-01', keyHex, oss, prefix: 'fleet/', keep: 3, tmpDir: join(kioskDir, 'work'), now: () => t });
      keys.push(r.key);
      t += 86_400_000;
    }
    const kept = [...fake.objects.keys()].filter((k) => k.includes('/backups/')).map((k) => k.slice(FLEET_BUCKET.length + 1)).sort();
    expect(kept).toEqual(keys.slice(2));
    // Encrypted at rest: no SQLite header, no order id in the object.
    const blob = fake.objects.get(`${FLEET_BUCKET}/${keys[4]}`)!.body;
    expect(blob.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(blob.includes(Buffer.from(before.orders[0]!.id))).toBe(false);
    expect(() => decryptBackup(blob, deriveBackupKey(MASTER, 'another-kiosk'))).toThrow(/wrong key/);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 5]! ^= 1;
    expect(() => decryptBackup(tampered, keyHex)).toThrow(/wrong key|altered/);

    // The kiosk PC dies: everything on it is gone.
    await h.close();
    h = undefined;
    rmSync(kioskDir, { recursive: true, force: true });
    expect(existsSync(join(kioskDir, 'kiosk.sqlite'))).toBe(false);

    const newDir = mkdtempSync(join(tmpdir(), 'fleet-new-'));
    dirs.push(newDir);
    const target = join(newDir, 'kiosk.sqlite');
    const header = await restoreBackup({ oss, key: keys[4]!, keyHex, targetDb: target });
    expect(header.kioskId).toBe('mall-a-01');
    await expect(restoreBackup({ oss, key: keys[4]!, keyHex, targetDb: target })).rejects.toThrow(/exists/);
    const db = openDb(target);
    try {
      expect(listOrders(db, { all: true })).toEqual(before.orders);
      expect(salesReport(db, { capFen: 50_000 })).toEqual(before.sales);
    } finally {
      db.close();
    }
  });
});
