import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssConfig } from './oss/config';
import { startFakeOss, type FakeOss } from '../../../sim/oss/fakeOss';
import { createOssShare, type OssShare } from './oss/ossShare';
import { createUploadQueue, ossUploadFn, type UploadTask } from './uploadQueue';

const dir = mkdtempSync(join(tmpdir(), 'upload-test-'));
const file = (name: string, bytes = 2000) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.alloc(bytes, name.length));
  return p;
};
let fake: FakeOss;
let share: OssShare;
let n = 0;
const stateFile = () => join(dir, `queue-${++n}.json`);

beforeAll(async () => {
  fake = await startFakeOss({ buckets: ['kiosk-media'], credentials: [{ accessKeyId: 'AK', accessKeySecret: 'SK' }] });
  share = createOssShare(OssConfig.parse({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'AK', accessKeySecret: 'SK', pathStyle: true, linkSecret: 'q'.repeat(40), timeoutMs: 5000 }));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const task = (key: string, filePath: string, priority = 1, kind: UploadTask['kind'] = 'result'): UploadTask => ({ key, filePath, contentType: 'image/jpeg', kind, priority });

describe('upload queue → OSS', () => {
  it('uploads results and originals in priority order', async () => {
    const order: string[] = [];
    const upload = ossUploadFn(share);
    const q = createUploadQueue({ stateFile: stateFile(), upload: async (t) => (order.push(t.key), upload(t)) });
    q.enqueue(task('o1/photo.jpg', file('a.jpg'), 1));
    q.enqueue(task('o1/index.html', file('b.html'), 0));
    q.enqueue(task('o1/cap.jpg', file('c.jpg'), 2, 'original'));
    q.start();
    expect(await q.waitFor('o1/cap.jpg', 10_000)).toBe('done');
    expect(order).toEqual(['o1/index.html', 'o1/photo.jpg', 'o1/cap.jpg']);
    expect(fake.objects.has(`kiosk-media/${share.objectKey('o1/photo.jpg')}`)).toBe(true);
    expect(fake.objects.get(`kiosk-media/${share.objectKey('o1/cap.jpg', 'original')}`)?.acl).toBe('private');
    expect(q.stats()).toMatchObject({ pending: 0, done: 3, failed: 0 });
    // Enqueuing a done key again does not upload it again.
    q.enqueue(task('o1/photo.jpg', file('a.jpg'), 1));
    expect(q.get('o1/photo.jpg')?.attempts).toBe(1);
    await q.stop();
  });

  it('rides out network loss and server errors with back-off, then completes', async () => {
    const q = createUploadQueue({ stateFile: stateFile(), upload: ossUploadFn(share), baseDelayMs: 20, maxDelayMs: 100, random: () => 0.5 });
    fake.offline(true);
    q.start();
    q.enqueue(task('o2/photo.jpg', file('d.jpg')));
    // Wait until it has failed at least twice against the dead network.
    for (let i = 0; i < 200 && (q.get('o2/photo.jpg')?.attempts ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(q.get('o2/photo.jpg')).toMatchObject({ state: expect.stringMatching(/pending|uploading/) });
    expect(q.get('o2/photo.jpg')!.lastError).toBeTruthy();
    fake.offline(false);
    fake.fail('http500', 1);
    expect(await q.waitFor('o2/photo.jpg', 10_000)).toBe('done');
    expect(q.get('o2/photo.jpg')!.attempts).toBeGreaterThanOrEqual(3);
    expect((await fetch(await share.url('o2/photo.jpg', 60))).status).toBe(200);
    await q.stop();
  });

  it('survives a restart: pending (and interrupted) uploads resume from the state file', async () => {
    const sf = stateFile();
    fake.offline(true);
    const first = createUploadQueue({ stateFile: sf, upload: ossUploadFn(share), baseDelayMs: 10_000 });
    first.start();
    first.enqueue(task('o3/photo.jpg', file('e.jpg')));
    first.enqueue(task('o3/living.mp4', file('f.mp4'), 2));
    for (let i = 0; i < 200 && (first.get('o3/photo.jpg')?.attempts ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    await first.stop();
    fake.offline(false);

    const second = createUploadQueue({ stateFile: sf, upload: ossUploadFn(share) });
    expect(second.stats().pending).toBe(2);
    second.retryNow();
    second.start();
    expect(await second.waitFor('o3/living.mp4', 10_000)).toBe('done');
    expect(second.get('o3/photo.jpg')?.state).toBe('done');
    await second.stop();
  });

  it('fails for good only when retrying cannot help (the file is gone), and forget() drops tasks', async () => {
    const q = createUploadQueue({ stateFile: stateFile(), upload: ossUploadFn(share), baseDelayMs: 10 });
    q.start();
    q.enqueue(task('o4/photo.jpg', join(dir, 'deleted.jpg')));
    expect(await q.waitFor('o4/photo.jpg', 5000)).toBe('failed');
    expect(q.get('o4/photo.jpg')?.attempts).toBe(1);
    fake.offline(true);
    q.enqueue(task('o5/photo.jpg', file('g.jpg')));
    const waiting = q.waitFor('o5/photo.jpg', 5000);
    q.forget(['o5/photo.jpg']);
    expect(await waiting).toBeNull();
    expect(q.get('o5/photo.jpg')).toBeNull();
    fake.offline(false);
    await q.stop();
  });

  it('gives up after the retention window instead of retrying forever', async () => {
    let clock = 1_000_000;
    const q = createUploadQueue({ stateFile: stateFile(), upload: async () => Promise.reject(new Error('ECONNRESET')), now: () => clock, baseDelayMs: 1, maxDelayMs: 1, giveUpAfterMs: 1000 });
    q.start();
    q.enqueue(task('o6/photo.jpg', file('h.jpg')));
    for (let i = 0; i < 200 && (q.get('o6/photo.jpg')?.attempts ?? 0) < 1; i++) await new Promise((r) => setTimeout(r, 5));
    clock += 5000;
    expect(await q.waitFor('o6/photo.jpg', 5000)).toBe('failed');
    await q.stop();
  });
});
