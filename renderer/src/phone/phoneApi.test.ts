// The phone page reads the listener's answers through the zod schemas of electron/shared/phoneApi.ts:
// a well-formed answer comes through typed, a malformed one is an error, never half-used.
import { describe, expect, it } from 'vitest';
import { phoneApi } from './api';

const answering = (body: unknown) => phoneApi(async () => new Response(JSON.stringify(body)));

describe('phone API validated on the page side', () => {
  it('takes a download answer of the agreed shape', async () => {
    const r = await answering({ ok: true, value: { ready: true, photoUrl: '/p/file/r/x/photo.jpg?exp=1&sig=a', blessing: '团团圆圆', expiresAt: '2027-01-01T00:00:00Z', orderCode: 'AB12CD', afterSalesContact: '客服 400-800-1234', cardAllowed: true } }).download('tok123456789012345');
    expect(r).toMatchObject({ ok: true, value: { ready: true, blessing: '团团圆圆', orderCode: 'AB12CD', afterSalesContact: '客服 400-800-1234' } });
  });

  it('refuses answers of the wrong shape (a drifted listener) with a clear error', async () => {
    const r1 = await answering({ ok: true, value: { ready: 'yes', blessing: 1 } }).download('tok123456789012345');
    expect(r1.ok === false && r1.error.code).toBe('INTERNAL');
    const r2 = await answering({ ok: true, value: { amountFen: -5, description: 'x', state: 'NOTPAY' } }).payInfo('tok123456789012345');
    expect(r2.ok).toBe(false);
    const r3 = await answering({ ok: true, value: { ok: true } }).upload('tok123456789012345', new Blob([]));
    expect(r3.ok).toBe(false);
  });

  it('sends the card draft as JSON to the card endpoint and reads the card back', async () => {
    const seen: string[] = [];
    const api = phoneApi(async (url, init) => {
      seen.push(`${init?.method} ${String(url)} ${String(init?.body)}`);
      return new Response(JSON.stringify({ ok: true, value: { template: 'shuimo', message: '新春快乐', pageUrl: 'http://k/p/card/abc', imageUrl: 'http://k/p/card/abc/card.jpg?v=1' } }));
    });
    const r = await api.cardSave('tok123456789012345', { template: 'shuimo', message: '新春快乐' });
    expect(seen).toEqual(['POST /p/api/card/tok123456789012345 {"template":"shuimo","message":"新春快乐"}']);
    expect(r).toMatchObject({ ok: true, value: { pageUrl: 'http://k/p/card/abc' } });
  });

  it('uses the method and path the contract names', async () => {
    const seen: string[] = [];
    const api = phoneApi(async (url, init) => {
      seen.push(`${init?.method} ${String(url)}`);
      return new Response(JSON.stringify({ ok: true, value: { state: 'SUCCESS' } }));
    });
    await api.payConfirm('tok123456789012345');
    expect(seen).toEqual(['POST /p/api/pay/tok123456789012345/confirm']);
  });
});
