// The OSS adapter against the fake OSS server, through the real ali-oss client: every request below
// is signature-checked by the fake (whose checks match the official SDK vectors, ossSignature.test.ts).
import OSS from 'ali-oss';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssConfig, ossConfigFromEnv } from './config';
import { startFakeOss, type FakeOss } from '../../../../sim/oss/fakeOss';
import { createOssShare, type OssShare } from './ossShare';

const dir = mkdtempSync(join(tmpdir(), 'oss-test-'));
const photo = join(dir, 'photo.jpg');
writeFileSync(photo, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(4000, 9)]));
let fake: FakeOss;
let share: OssShare;
let config: OssConfig;

beforeAll(async () => {
  fake = await startFakeOss({ buckets: ['kiosk-media'], credentials: [{ accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1' }] });
  config = OssConfig.parse({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1', pathStyle: true, linkSecret: 's'.repeat(40) });
  share = createOssShare(config);
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OSS share (ali-oss → fake OSS)', () => {
  it('publishes a result a phone can fetch without credentials, under an unguessable stable key', async () => {
    await share.put('order-42/photo.jpg', photo, 'image/jpeg');
    const url = await share.url('order-42/photo.jpg', 30 * 86400);
    expect(url).toMatch(new RegExp(`^${fake.url}/kiosk-media/results/[0-9a-f]{32}/photo\\.jpg$`));
    expect(url).not.toContain('order-42');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).length).toBe(4003);
    // Same key → same object (idempotent after a restart); another order → another folder.
    expect(createOssShare(config).objectKey('order-42/photo.jpg')).toBe(share.objectKey('order-42/photo.jpg'));
    expect(share.objectKey('order-43/photo.jpg').split('/')[1]).not.toBe(share.objectKey('order-42/photo.jpg').split('/')[1]);
    const obj = fake.objects.get(`kiosk-media/${share.objectKey('order-42/photo.jpg')}`)!;
    expect(obj.acl).toBe('public-read');
    expect(obj.tags).toEqual({ kind: 'result' });
    expect(fake.requests.filter((r) => r.method === 'PUT').every((r) => r.auth === 'v4')).toBe(true);
  });

  it('keeps originals private and encrypted; only a short signed URL opens them', async () => {
    await share.putOriginal('order-42/capture-1.jpg', photo, 'image/jpeg');
    const key = share.objectKey('order-42/capture-1.jpg', 'original');
    expect(key.startsWith('originals/')).toBe(true);
    expect(fake.objects.get(`kiosk-media/${key}`)).toMatchObject({ acl: 'private', tags: { kind: 'original' }, headers: { 'x-oss-server-side-encryption': 'AES256' } });
    const signed = await share.signedGetUrl('order-42/capture-1.jpg', 600);
    expect(signed).toContain('x-oss-signature-version=OSS4-HMAC-SHA256');
    expect(signed).toContain('x-oss-expires=600');
    expect((await fetch(signed)).status).toBe(200);
    expect((await fetch(signed.split('?')[0]!)).status).toBe(403);
    expect((await fetch(signed.replace(/x-oss-signature=([0-9a-f])/, (_m, c: string) => `x-oss-signature=${c === '0' ? '1' : '0'}`))).status).toBe(403);
    // A caller asking for a week still gets at most the configured ceiling (1 h).
    expect(await share.signedGetUrl('order-42/capture-1.jpg', 7 * 86400)).toContain('x-oss-expires=3600');
  });

  it('deletes results and originals explicitly (single and multi-delete)', async () => {
    await share.put('order-50/photo.jpg', photo, 'image/jpeg');
    await share.put('order-50/index.html', photo, 'text/html; charset=utf-8');
    await share.putOriginal('order-50/cap.jpg', photo, 'image/jpeg');
    await share.remove(['order-50/photo.jpg', 'order-50/index.html', 'order-50/never-uploaded.mp4']);
    await share.removeOriginals(['order-50/cap.jpg']);
    for (const k of [share.objectKey('order-50/photo.jpg'), share.objectKey('order-50/index.html'), share.objectKey('order-50/cap.jpg', 'original')]) {
      expect(fake.objects.has(`kiosk-media/${k}`)).toBe(false);
    }
    expect((await fetch(await share.url('order-50/photo.jpg', 60))).status).toBe(403);
  });

  it('reports bad credentials and refuses to sign for them (fake checks every signature)', async () => {
    const wrong = createOssShare({ ...config, accessKeySecret: 'not-the-secret' });
    expect(await wrong.check()).toMatchObject({ ok: false, code: 'ACCESS_DENIED' });
    await expect(wrong.put('x/photo.jpg', photo, 'image/jpeg')).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(await share.check()).toMatchObject({ ok: true });
    await expect(share.put('x/photo.jpg', join(dir, 'missing.jpg'), 'image/jpeg')).rejects.toMatchObject({ retryable: false });
  });

  it('accepts V1 header and V1 URL signatures as ali-oss makes them too', async () => {
    const v1 = new OSS({ endpoint: fake.url, bucket: 'kiosk-media', accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1', sldEnable: true } as OSS.Options);
    await v1.put('misc/v1.txt', Buffer.from('hello v1'), { headers: { 'x-oss-meta-who': 'kiosk' } });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PUT', auth: 'v1', status: 200 });
    const url = v1.signatureUrl('misc/v1.txt', { expires: 120, response: { 'content-disposition': 'attachment; filename="a.txt"' } });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="a.txt"');
    expect(await res.text()).toBe('hello v1');
    expect((await fetch(url.replace('Expires=', 'Expires=1'))).status).toBe(403);
  });

  it('uses STS tokens, and refreshes them when the old one has expired', async () => {
    let clock = Date.now();
    const sts = await startFakeOss({
      buckets: ['kiosk-media'],
      now: () => clock,
      credentials: [{ accessKeyId: 'STS.old', accessKeySecret: 'old-secret', securityToken: 'tok-old', expiresAt: clock + 60_000 }],
    });
    try {
      let refreshes = 0;
      const s = createOssShare(
        OssConfig.parse({ endpoint: sts.url, bucket: 'kiosk-media', accessKeyId: 'STS.old', accessKeySecret: 'old-secret', stsToken: 'tok-old', pathStyle: true, linkSecret: 'l'.repeat(40) }),
        {
          refreshSts: async () => {
            refreshes++;
            sts.addCredential({ accessKeyId: 'STS.new', accessKeySecret: 'new-secret', securityToken: 'tok-new', expiresAt: clock + 3_600_000 });
            return { accessKeyId: 'STS.new', accessKeySecret: 'new-secret', stsToken: 'tok-new' };
          },
        },
      );
      await s.put('o/photo.jpg', photo, 'image/jpeg');
      expect(refreshes).toBe(0);
      clock += 120_000; // the first token has expired
      await s.put('o/photo2.jpg', photo, 'image/jpeg');
      expect(refreshes).toBe(1);
      expect(sts.requests.filter((r) => r.code === 'SecurityTokenExpired')).toHaveLength(1);
      const signed = await s.signedGetUrl('o/photo.jpg', 60);
      expect(signed).toContain('x-oss-security-token=tok-new');
    } finally {
      await sts.close();
    }
  });
});

describe('ossConfigFromEnv', () => {
  it('is null without a bucket (the LAN share stays the default)', () => {
    expect(ossConfigFromEnv(undefined, {})).toBeNull();
  });

  it('takes OSS_* variables over the file section and names missing fields without values', () => {
    const c = ossConfigFromEnv({ bucket: 'file-bucket', region: 'oss-cn-shanghai' }, {
      OSS_BUCKET: 'env-bucket', OSS_ACCESS_KEY_ID: 'STS.id', OSS_ACCESS_KEY_SECRET: 'sec', OSS_STS_TOKEN: 'tok', OSS_ENDPOINT: 'https://oss-cn-shanghai.aliyuncs.com',
    })!;
    expect(c).toMatchObject({ bucket: 'env-bucket', region: 'oss-cn-shanghai', stsToken: 'tok', resultsPrefix: 'results/', originalsPrefix: 'originals/' });
    expect(() => ossConfigFromEnv({ bucket: 'b-1' }, { OSS_ACCESS_KEY_SECRET: 'super-secret-value' })).toThrow(/accessKeyId/);
    try {
      ossConfigFromEnv({ bucket: 'b-1' }, { OSS_ACCESS_KEY_SECRET: 'super-secret-value' });
    } catch (e) {
      expect((e as Error).message).not.toContain('super-secret-value');
    }
    expect(() => ossConfigFromEnv({ bucket: 'b-1', accessKeyId: 'a', accessKeySecret: 'b', resultsPrefix: 'x/', originalsPrefix: 'x/' }, {})).toThrow(/prefix/);
  });
});
