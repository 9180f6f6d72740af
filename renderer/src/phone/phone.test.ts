import { describe, expect, it } from 'vitest';
import { phoneApi } from './api';
import { phoneRoute } from './route';
import { fitWithin } from './shrink';

describe('phone page routing', () => {
  it('picks the page from /p/<page>/<token>', () => {
    expect(phoneRoute('/p/pay/abcdEFGH1234_-')).toEqual({ page: 'pay', token: 'abcdEFGH1234_-' });
    expect(phoneRoute('/p/download/0123456789abcdef/')).toEqual({ page: 'download', token: '0123456789abcdef' });
    expect(phoneRoute('/p/upload/0123456789abcdef')).toEqual({ page: 'upload', token: '0123456789abcdef' });
  });
  it('anything else is not found, including odd tokens', () => {
    for (const p of ['/', '/p/pay/', '/p/pay/short', '/p/admin/0123456789abcdef', '/p/pay/../../etc/passwd', '/p/pay/abc%2F12345678']) {
      expect(phoneRoute(p)).toEqual({ page: 'not-found' });
    }
  });
});

describe('upload shrinking', () => {
  it('fits the long side within 2048 px and never enlarges', () => {
    expect(fitWithin(4032, 3024)).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(3024, 4032)).toEqual({ width: 1536, height: 2048 });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(0, 600)).toEqual({ width: 0, height: 0 });
  });
});

describe('phone API client', () => {
  it('uploads the JPEG bytes as image/jpeg and reads the check result', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = phoneApi(async (url, init) => {
      calls.push({ url: String(url), init });
      return new Response(JSON.stringify({ ok: true, value: { ok: false, reasons: [{ code: 'NO_FACE', message: '没有检测到人脸' }] } }));
    });
    const r = await api.upload('tok123456789', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }));
    expect(r).toEqual({ ok: true, value: { ok: false, reasons: [{ code: 'NO_FACE', message: '没有检测到人脸' }] } });
    expect(calls[0]?.url).toBe('/p/api/upload/tok123456789');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(new Headers(calls[0]?.init?.headers).get('content-type')).toBe('image/jpeg');
  });

  it('reports an expired token as data and a dead network as OFFLINE', async () => {
    const expired = phoneApi(async () => new Response(JSON.stringify({ ok: false, error: { code: 'TOKEN_EXPIRED', message: '链接已过期' } }), { status: 410 }));
    const r1 = await expired.download('tok123456789');
    expect(r1.ok === false && r1.error.code).toBe('TOKEN_EXPIRED');
    const offline = phoneApi(async () => {
      throw new TypeError('network');
    });
    const r2 = await offline.payConfirm('tok123456789');
    expect(r2.ok === false && r2.error.code).toBe('OFFLINE');
  });
});
