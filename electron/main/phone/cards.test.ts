// The greeting card through the phone listener, as a family's phone and WeChat's link preview see
// it: paid orders only, the message checked, the card page's meta tags and images, the link dying
// with the download link, and the family's words gone with the pictures at retention.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardInfo, DownloadInfo } from '../../shared/phoneApi';
import { CardService } from '../services/cards';
import { runRetention } from '../services/retention';
import { LanShare } from '../services/share/lan';
import { harness, pickAfterPayment, solidJpeg, until, type Harness } from '../testing/orders';
import { PhoneServer } from './server';

let h: Harness;
let server: PhoneServer;
let base: string;
let renderer: string;
let cards: CardService;
let lan: LanShare;

beforeEach(async () => {
  h = harness();
  renderer = mkdtempSync(join(tmpdir(), 'phone-renderer-'));
  writeFileSync(join(renderer, 'phone.html'), '<!doctype html><title>phone</title>');
  mkdirSync(join(renderer, 'assets'));
  lan = new LanShare({ dir: h.paths.share, baseUrl: () => base, secret: Buffer.alloc(32, 9) });
  cards = new CardService({ db: h.db, repo: h.repo, resultsDir: h.paths.results });
  server = new PhoneServer({
    repo: h.repo,
    session: h.service.session,
    share: lan,
    lanShare: lan,
    simPayment: h.sim,
    rendererDir: renderer,
    blessing: () => '团团圆圆',
    cards,
    publicBaseUrl: () => base,
    uploadMaxBytes: 200_000,
  });
  base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
});
afterEach(async () => {
  await server.close();
  await h.close();
  rmSync(renderer, { recursive: true, force: true });
});

/** A family's order through to delivery (package: 'four' = ¥9.9 four to choose from, or 'free'). */
async function delivered(packageId: 'four' | 'free'): Promise<{ orderId: string; token: string }> {
  const s = h.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'makeover', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => h.repo.order(o.id)?.state === 'generated', 'the try');
  await s.money.start(o.id, packageId, async () => ({ ready: true }));
  if (packageId !== 'free') {
    const { token } = h.db.prepare("SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ? AND p.state = 'open'").get(o.id) as { token: string };
    h.sim.confirm(token);
    await pickAfterPayment(h, o.id, 1);
  }
  await until(() => h.repo.order(o.id)?.state === 'delivered', 'delivered');
  return { orderId: o.id, token: h.repo.tokenFor(o.id, 'download')!.token };
}

const download = async (token: string) => DownloadInfo.parse(((await (await fetch(`${base}/p/api/download/${token}`)).json()) as { value: unknown }).value);
const saveCard = (token: string, body: unknown) =>
  fetch(`${base}/p/api/card/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('greeting card on the phone', () => {
  it('a paying family saves a card; its page carries title, description and thumbnail; an edit keeps the link', async () => {
    const { token } = await delivered('four');
    expect((await download(token)).cardAllowed).toBe(true);

    const tooLong = await saveCard(token, { template: 'chunjie', message: '福'.repeat(41) });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ ok: false, error: { code: 'CARD_MESSAGE', message: '祝福语最多 40 个字' } });
    expect(await (await saveCard(token, { template: 'chunjie', message: '新年快乐🧧' })).json()).toMatchObject({ error: { message: '贺卡暂不支持表情符号，请只用文字' } });
    expect((await saveCard(token, { template: 'gold', message: '新年快乐' })).status).toBe(400);

    const r = await saveCard(token, { template: 'shuimo', message: '  <b>爷爷奶奶</b> 新春快乐 ' });
    expect(r.status).toBe(200);
    const card = CardInfo.parse(((await r.json()) as { value: unknown }).value);
    expect(card).toMatchObject({ template: 'shuimo', message: '<b>爷爷奶奶</b> 新春快乐' });
    expect((await download(token)).card).toEqual(card);

    const page = await fetch(card.pageUrl);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<title>团圆照相馆 · 新春全家福贺卡</title>');
    expect(html).toContain('<meta property="og:description" content="&lt;b&gt;爷爷奶奶&lt;/b&gt; 新春快乐">');
    const thumbUrl = /<meta property="og:image" content="([^"]+)">/.exec(html)![1]!;
    expect(thumbUrl.startsWith(`${base}/p/card/`)).toBe(true); // absolute: fetched by WeChat, not the page
    const thumb = await sharp(Buffer.from(await (await fetch(thumbUrl.replace(/&amp;/g, '&'))).arrayBuffer())).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 300, 300]);
    const img = await sharp(Buffer.from(await (await fetch(card.imageUrl)).arrayBuffer())).metadata();
    expect([img.width, img.height]).toEqual([1080, 1440]);

    const again = CardInfo.parse(((await (await saveCard(token, { template: 'tuanyuan', message: '阖家欢乐' })).json()) as { value: unknown }).value);
    expect(again.pageUrl).toBe(card.pageUrl);
    expect(again.imageUrl).not.toBe(card.imageUrl); // a new version is never served from a cache
    expect(await (await fetch(again.pageUrl)).text()).toContain('content="阖家欢乐"');
  });

  it('the free take-away has no card (it is the watermarked picture); the listener refuses one', async () => {
    const { token } = await delivered('free');
    const info = await download(token);
    expect(info.cardAllowed).toBe(false);
    expect(info.card).toBeUndefined();
    const r = await saveCard(token, { template: 'chunjie', message: '新年快乐' });
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ ok: false, error: { code: 'CARD_NOT_AVAILABLE' } });
    expect((await saveCard('x'.repeat(24), { template: 'chunjie', message: '新年快乐' })).status).toBe(404);
  });

  it('the card link dies with the download link, and retention deletes the message and the card images', async () => {
    const { orderId, token } = await delivered('four');
    const card = CardInfo.parse(((await (await saveCard(token, { template: 'chunjie', message: '新春快乐' })).json()) as { value: unknown }).value);
    expect((await fetch(card.pageUrl)).status).toBe(200);
    expect((await fetch(`${base}/p/card/${'y'.repeat(24)}`)).status).toBe(404);
    const files = cards.files(new URL(card.pageUrl).pathname.split('/').pop()!)!;
    h.db.prepare("UPDATE tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE token = ?").run(token);
    expect((await fetch(card.pageUrl)).status).toBe(404);
    expect((await fetch(card.imageUrl)).status).toBe(404);

    const later = new Date(Date.now() + 40 * 86_400_000);
    await runRetention({ db: h.db, repo: h.repo, config: h.config, share: lan, dirs: h.paths, now: () => later });
    expect(cards.store.ofOrder(orderId)).toBeUndefined();
    expect(existsSync(files.card) || existsSync(files.thumb)).toBe(false);
  });
});
