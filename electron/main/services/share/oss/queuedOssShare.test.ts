import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssConfig } from './config';
import { startFakeOss, type FakeOss } from '../../../../sim/oss/fakeOss';
import { createQueuedOssShare, type QueuedOssShare } from './queuedOssShare';

const dir = mkdtempSync(join(tmpdir(), 'qoss-test-'));
let fake: FakeOss;
let config: OssConfig;
const shares: QueuedOssShare[] = [];
const file = (name: string) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.alloc(3000, name.length));
  return p;
};
const make = (stateDir: string, waitMs = 5000) => {
  const s = createQueuedOssShare(config, { stateDir, waitMs, baseDelayMs: 20, maxDelayMs: 50 });
  shares.push(s);
  s.start();
  return s;
};

beforeAll(async () => {
  fake = await startFakeOss({ buckets: ['kiosk-media'], credentials: [{ accessKeyId: 'AK', accessKeySecret: 'SK' }] });
  config = OssConfig.parse({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'AK', accessKeySecret: 'SK', pathStyle: true, timeoutMs: 3000 });
});
afterAll(async () => {
  for (const s of shares) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('queued OSS share', () => {
  it('publishes the download page first and the photo after; the page URL is known at once', async () => {
    const share = make(join(dir, 'a'));
    const pageUrl = await share.publishDownloadPage('tok123', {
      blessing: '团团圆圆',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      orderCode: 'AB12CD',
      afterSalesContact: '客服 400-800-1234',
    });
    expect(pageUrl).toMatch(/\/results\/[0-9a-f]{32}\/index\.html$/);
    await share.put('tok123/photo.jpg', file('p.jpg'), 'image/jpeg');
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('团团圆圆');
    expect(html).toContain('AB12CD');
    expect(html).toContain('客服 400-800-1234');
    expect((await fetch(await share.url('tok123/photo.jpg', 60))).status).toBe(200);
    const puts = fake.requests.filter((r) => r.method === 'PUT' && r.key.includes(share.oss.objectKey('tok123/x').split('/')[1]!));
    expect(puts.map((r) => r.key.split('/').pop())).toEqual(['index.html', 'photo.jpg']);
    // A generated link secret was kept, so a restart maps keys to the same objects.
    expect(existsSync(join(dir, 'a', 'oss-link-secret'))).toBe(true);
    expect(createQueuedOssShare(config, { stateDir: join(dir, 'a') }).oss.objectKey('tok123/photo.jpg')).toBe(share.oss.objectKey('tok123/photo.jpg'));
  });

  it('keeps the download page when the card cannot be made (no card tab, no card page)', async () => {
    const share = make(join(dir, 'c'));
    const pageUrl = await share.publishDownloadPage('tokcard', { expiresAt: new Date(Date.now() + 86_400_000), cardPhotoPath: join(dir, 'missing.jpg') });
    await expect.poll(async () => (await fetch(pageUrl)).status).toBe(200);
    const html = await (await fetch(pageUrl)).text();
    expect(html).toContain('照片正在上传');
    expect(html).not.toContain('tabCard');
    expect(share.queue.get('result:tokcard/card.html')).toBeNull();
    expect((await fetch(await share.url('tokcard/card.html', 60))).ok).toBe(false);
  });

  it('answers UPLOAD_PENDING while the network is down, then delivers by itself', async () => {
    const share = make(join(dir, 'b'), 150);
    fake.offline(true);
    await expect(share.put('tok200/photo.jpg', file('q.jpg'), 'image/jpeg')).rejects.toMatchObject({ code: 'UPLOAD_PENDING', retryable: true });
    fake.offline(false);
    expect(await share.queue.waitFor('result:tok200/photo.jpg', 10_000)).toBe('done');
    expect((await fetch(await share.url('tok200/photo.jpg', 60))).status).toBe(200);
  });

  it('remove() deletes uploaded objects and cancels pending ones; originals are private and signed', async () => {
    const share = make(join(dir, 'c'));
    await share.put('tok300/photo.jpg', file('r.jpg'), 'image/jpeg');
    await share.putOriginal('tok300/cap.jpg', file('s.jpg'), 'image/jpeg');
    expect((await fetch(await share.signedGetUrl('tok300/cap.jpg', 300))).status).toBe(200);
    fake.offline(true);
    const pending = share.put('tok300/living.mp4', file('t.mp4'), 'video/mp4').catch((e: { code: string }) => e.code);
    await new Promise((r) => setTimeout(r, 50));
    fake.offline(false);
    await share.remove(['tok300/photo.jpg', 'tok300/living.mp4']);
    await share.removeOriginals(['tok300/cap.jpg']);
    expect(await pending).toBe('UPLOAD_PENDING');
    await new Promise((r) => setTimeout(r, 300));
    const left = [...fake.objects.keys()].filter((k) => k.includes(share.oss.objectKey('tok300/x').split('/')[1]!) || k.includes(share.oss.objectKey('tok300/x', 'original').split('/')[1]!));
    expect(left).toEqual([]);
    expect(share.queue.get('result:tok300/living.mp4')).toBeNull();
  });
});
