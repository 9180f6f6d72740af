// The phone listener as a phone sees it: pages are HTML, every link is a capability token that
// expires, files are served only with a valid signature, uploads are bounded and checked.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, solidJpeg, type Harness } from '../testing/orders';
import { LanShare } from '../services/share/lan';
import { PhoneServer } from './server';

let h: Harness;
let server: PhoneServer;
let base: string;
let renderer: string;
let lan: LanShare;
let contact = '';

beforeEach(async () => {
  h = harness();
  renderer = mkdtempSync(join(tmpdir(), 'phone-renderer-'));
  writeFileSync(join(renderer, 'phone.html'), '<!doctype html><title>phone</title>');
  mkdirSync(join(renderer, 'assets'));
  writeFileSync(join(renderer, 'assets', 'phone.js'), 'console.log(1)');
  lan = new LanShare({ dir: h.paths.share, baseUrl: () => base, secret: Buffer.alloc(32, 9) });
  server = new PhoneServer({
    repo: h.repo,
    session: h.service.session,
    share: lan,
    lanShare: lan,
    simPayment: h.sim,
    rendererDir: renderer,
    blessing: () => '团团圆圆',
    afterSalesContact: () => contact,
    uploadMaxBytes: 200_000,
  });
  base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterEach(async () => {
  await server.close();
  await h.close();
  rmSync(renderer, { recursive: true, force: true });
});

describe('phone listener', () => {
  it('serves the phone pages as HTML with a CSP, and their scripts', async () => {
    const page = await fetch(`${base}/p/upload/${'a'.repeat(24)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const js = await fetch(`${base}/assets/phone.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/assets/../phone.html`)).status).not.toBe(200);
    expect((await fetch(`${base}/api/order:get`, { method: 'POST' })).status).toBe(404); // no kiosk API here
  });

  it('takes an absent relative’s photo through a live upload token only, checked and bounded', async () => {
    const o = await h.service.session.acceptConsent('zh');
    const link = await h.service.session.phoneUploadLink(o.id);
    const token = link.url.split('/').pop()!;
    expect((await fetch(`${base}/p/api/upload/${'x'.repeat(24)}`)).status).toBe(404);

    const ok = await fetch(`${base}/p/api/upload/${token}`, { method: 'POST', body: new Uint8Array(await solidJpeg(5)), headers: { 'content-type': 'image/jpeg' } });
    expect(await ok.json()).toMatchObject({ ok: true, value: { ok: true, reasons: [] } });
    expect(h.repo.photos(o.id)).toHaveLength(1);
    expect(h.events.some((e) => e.event === 'capture:photo-uploaded')).toBe(true);

    const big = await fetch(`${base}/p/api/upload/${token}`, { method: 'POST', body: new Uint8Array(300_000) });
    expect(big.status).toBe(413);
    const junk = await fetch(`${base}/p/api/upload/${token}`, { method: 'POST', body: new TextEncoder().encode("not an image at all") });
    expect(await junk.json()).toMatchObject({ ok: true, value: { ok: false, reasons: [{ code: 'NOT_AN_IMAGE' }] } });
    expect(h.repo.photos(o.id)).toHaveLength(1);

    // Once capture is over the same QR is dead.
    await h.service.session.abandon(o.id);
    expect((await fetch(`${base}/p/api/upload/${token}`)).status).toBe(410);
  });

  it('serves shared files only with a valid, unexpired signature, with Range for iOS video', async () => {
    const src = join(h.dir, 'clip.mp4');
    writeFileSync(src, Buffer.from('0123456789'));
    await lan.put('r/abc/living.mp4', src);
    const url = await lan.url('r/abc/living.mp4', 60);
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    const part = await fetch(url, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('2345');
    expect((await fetch(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(404);
    expect((await fetch(url.replace(/exp=\d+/, 'exp=1'))).status).toBe(404);
    expect((await fetch(url.replace('living.mp4', '../../kiosk.sqlite'))).status).toBe(404);
  });

  it('the download answer carries the short order code and the operator’s after-sales contact (read live)', async () => {
    const o = await h.service.session.acceptConsent('zh');
    const dl = h.repo.addToken('download', o.id, 600);
    const get = async () => ((await (await fetch(`${base}/p/api/download/${dl.token}`)).json()) as { value: Record<string, unknown> }).value;
    contact = '';
    const before = await get();
    expect(before.orderCode).toBe(o.id.replace(/^ord_/, '').slice(0, 6).toUpperCase());
    expect(before).not.toHaveProperty('afterSalesContact');
    contact = '客服 400-800-1234';
    expect(await get()).toMatchObject({ orderCode: before.orderCode, afterSalesContact: '客服 400-800-1234' });
  });

  it('runs the simulated payment page: describe, confirm once, then closed trades refuse', async () => {
    const codeUrl = (await h.sim.create({ outTradeNo: 'T1', amountFen: 990, description: '电子版', expiresAt: new Date(Date.now() + 60_000), attach: 'k:o' })).codeUrl;
    const token = codeUrl.split('/').pop()!;
    expect(await (await fetch(`${base}/p/api/pay/${token}`)).json()).toMatchObject({ ok: true, value: { amountFen: 990, state: 'NOTPAY' } });
    expect((await fetch(`${base}/p/api/pay/${token}/confirm`)).status).toBe(405);
    expect(await (await fetch(`${base}/p/api/pay/${token}/confirm`, { method: 'POST' })).json()).toMatchObject({ ok: true, value: { state: 'SUCCESS' } });
    await h.sim.create({ outTradeNo: 'T2', amountFen: 990, description: '电子版', expiresAt: new Date(Date.now() + 60_000), attach: 'k:o' });
    await h.sim.close('T2');
    const t2 = (h.db.prepare("SELECT token FROM sim_trades WHERE out_trade_no = 'T2'").get() as { token: string }).token;
    expect((await fetch(`${base}/p/api/pay/${t2}/confirm`, { method: 'POST' })).status).toBe(409);
  });
});
