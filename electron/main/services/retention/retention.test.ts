import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskConfig } from '../config';
import { harness, solidJpeg, until, type Harness } from '../../testing/orders';
import { runRetention } from './index';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hours = (n: number) => n * 3600_000;

async function deliveredOrder(h: Harness): Promise<string> {
  const s = h.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => h.repo.order(o.id)?.state === 'generated', 'generated');
  await s.generation.pick(o.id, 0);
  await s.money.start(o.id, 'digital', async () => ({ ready: true }));
  const { token } = h.db.prepare('SELECT token FROM sim_trades').get() as { token: string };
  h.sim.confirm(token);
  await until(() => h.repo.order(o.id)?.state === 'delivered', 'delivered');
  return o.id;
}

describe('retention', () => {
  it('deletes originals within 24 h of the order ending and results after 30 days, files and links included', async () => {
    h = harness();
    const orderId = await deliveredOrder(h);
    const assets = () => h!.repo.assetsOf(orderId);
    const originals = assets().filter((a) => a.kind === 'original');
    const results = assets().filter((a) => a.kind !== 'original');
    expect(originals.length).toBe(1);
    expect(results.length).toBeGreaterThan(2);
    const shareKey = h.repo.order(orderId)!.share_key!;
    const shared = h.paths.share + '/' + shareKey + '/photo.jpg';
    expect(existsSync(shared)).toBe(true);
    // Every object the order put on the share is removed, the OSS download page and card included.
    const removed: string[] = [];
    const share = { ...h.service.deps.share, remove: (keys: string[]) => (removed.push(...keys), h!.service.deps.share.remove(keys)) };
    const deps = { db: h.db, repo: h.repo, config: KioskConfig.parse({}), share, dirs: h.paths };
    const ended = new Date(h.repo.order(orderId)!.ended_at!).getTime();

    // 23 h later: nothing is due yet.
    expect((await runRetention({ ...deps, now: () => new Date(ended + hours(23)) })).originalsDeleted).toBe(0);
    expect(existsSync(originals[0]!.path)).toBe(true);

    // 24 h later: the customer's own photo is gone from disk; the paid result is still downloadable.
    const r1 = await runRetention({ ...deps, now: () => new Date(ended + hours(24) + 1000) });
    expect(r1.originalsDeleted).toBe(1);
    expect(existsSync(originals[0]!.path)).toBe(false);
    expect(results.every((a) => existsSync(a.path))).toBe(true);
    expect(h.repo.liveToken(h.repo.tokenFor(orderId, 'download')!.token, 'download', new Date(ended + hours(25)))).toBeDefined();

    // 30 days later: results, shared copy and the download link are gone.
    const later = new Date(ended + hours(24 * 30) + 1000);
    const r2 = await runRetention({ ...deps, now: () => later });
    expect(r2.resultsDeleted).toBe(results.length);
    expect(results.some((a) => existsSync(a.path))).toBe(false);
    expect(existsSync(shared)).toBe(false);
    for (const f of ['photo.jpg', 'index.html', 'card.html', 'thumb.jpg', 'living.mp4']) expect(removed).toContain(`${shareKey}/${f}`);
    expect(r2.tokensDeleted).toBeGreaterThan(0);
    expect(h.repo.tokenFor(orderId, 'download')).toBeUndefined();
    // Running again changes nothing.
    expect(await runRetention({ ...deps, now: () => later })).toMatchObject({ originalsDeleted: 0, resultsDeleted: 0 });
  });

  it('honours a shorter configured retention for originals and keeps live orders untouched', async () => {
    h = harness();
    const live = await h.service.session.acceptConsent('zh');
    await h.service.session.addPhoto(live.id, await solidJpeg(2), 'camera');
    const livePhoto = h.repo.assetsOf(live.id)[0]!;
    const orderId = await deliveredOrder(h);
    const deps = { db: h.db, repo: h.repo, config: KioskConfig.parse({ originalRetentionHours: 1 }), share: h.service.deps.share, dirs: h.paths };
    const ended = new Date(h.repo.order(orderId)!.ended_at!).getTime();
    const r = await runRetention({ ...deps, now: () => new Date(ended + hours(1) + 1000) });
    expect(r.originalsDeleted).toBe(1);
    expect(existsSync(livePhoto.path)).toBe(true);
  });
});
