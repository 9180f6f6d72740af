// The greeting card as a family gets it: their message drawn on the card (whatever they typed is
// text, never markup), three templates that look different, a message rule the phone and the
// listener share, and a shareable page whose preview (title, description, thumbnail) WeChat reads.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CARD_MESSAGE_MAX, CARD_TEMPLATES, CardDraft, cardMessageProblem } from '../../../shared/cards';
import { cardPageHtml } from './page';
import { CARD_H, CARD_W, renderCard, THUMB, wrapMessage } from './render';

const photo = () =>
  sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3060a0' } })
    .jpeg()
    .toBuffer();

/** Share of pixels in the message band (below the photo) that differ from the band of a card without text. */
async function inkInMessageBand(card: Buffer, blank: Buffer): Promise<number> {
  const band = { left: 60, top: 900, width: CARD_W - 120, height: 400 };
  const a = await sharp(card).extract(band).greyscale().raw().toBuffer();
  const b = await sharp(blank).extract(band).greyscale().raw().toBuffer();
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 40) diff++;
  return diff / a.length;
}

describe('greeting card rendering', () => {
  it('draws the message below the photo, on every template, at card size with a square thumbnail', async () => {
    const p = await photo();
    for (const t of CARD_TEMPLATES) {
      const blank = await renderCard(p, t.id, ' ');
      const card = await renderCard(p, t.id, '祝爷爷奶奶身体健康，新春快乐！');
      const meta = await sharp(card.card).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([CARD_W, CARD_H, 'jpeg']);
      const thumb = await sharp(card.thumb).metadata();
      expect([thumb.width, thumb.height]).toEqual([THUMB, THUMB]);
      // Text is there: a real share of the band's pixels changed (glyphs, not a stray line).
      expect(await inkInMessageBand(card.card, blank.card)).toBeGreaterThan(0.02);
    }
  });

  it('the templates look different from one another', async () => {
    const p = await photo();
    const corners = await Promise.all(
      CARD_TEMPLATES.map(async (t) => {
        const { card } = await renderCard(p, t.id, '新春快乐');
        const { data } = await sharp(card).extract({ left: 0, top: 0, width: CARD_W, height: 240 }).resize(1, 1).raw().toBuffer({ resolveWithObject: true });
        return [...data].join(',');
      }),
    );
    expect(new Set(corners).size).toBe(CARD_TEMPLATES.length);
  });

  it('HTML and XML in a message are drawn as text (no injected SVG, no failure)', async () => {
    const p = await photo();
    const blank = await renderCard(p, 'shuimo', ' ');
    const evil = await renderCard(p, 'shuimo', '<b>爸妈</b> & "我们" </text><rect width="9999" height="9999" fill="red"/>');
    expect(await inkInMessageBand(evil.card, blank.card)).toBeGreaterThan(0.02);
    // An injected full-size red rectangle would have turned the top of the card red.
    const { data } = await sharp(evil.card).extract({ left: 0, top: 0, width: 60, height: 60 }).resize(1, 1).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]! - data[2]!).toBeLessThan(40);
  });

  it('a 40-character message fits in at most three lines; longer text is never cut silently', () => {
    const forty = '福'.repeat(CARD_MESSAGE_MAX);
    const lines = wrapMessage(forty, 20);
    expect(lines).toEqual(['福'.repeat(20), '福'.repeat(20)]);
    expect(wrapMessage('Happy New Year to Grandma and Grandpa from all of us', 20).every((l) => !l.startsWith(' ') && l.length <= 36)).toBe(true);
    expect(wrapMessage('Happy New Year to Grandma', 12)).toEqual(['Happy New Year to', 'Grandma']);
    const over = wrapMessage('福'.repeat(100), 20);
    expect(over).toHaveLength(3);
    expect(over[2]!.endsWith('…')).toBe(true);
  });
});

describe('the message rule (phone page and listener)', () => {
  it('takes up to 40 characters of text, trimmed; refuses empty, longer, emoji and control characters', () => {
    expect(CardDraft.parse({ template: 'chunjie', message: '  新年快乐  ' })).toEqual({ template: 'chunjie', message: '新年快乐' });
    expect(cardMessageProblem('福'.repeat(40))).toBeNull();
    expect(cardMessageProblem('福'.repeat(41))).toBe('tooLong');
    expect(cardMessageProblem('   ')).toBe('empty');
    expect(cardMessageProblem('新年快乐🧧')).toBe('emoji');
    expect(cardMessageProblem('新年\u0007快乐')).toBe('control');
    expect(cardMessageProblem('<b>新年</b> & 快乐')).toBeNull(); // drawn as text, see above
    expect(CardDraft.safeParse({ template: 'gold', message: '新年快乐' }).success).toBe(false);
    expect(CardDraft.safeParse({ template: 'tuanyuan', message: '😀'.repeat(3) }).success).toBe(false);
  });
});

describe('the card page', () => {
  it('carries title, description and thumbnail for a WeChat link preview; the message is escaped', () => {
    const html = cardPageHtml({
      pageUrl: 'http://192.168.1.20:8787/p/card/abc',
      imageUrl: 'http://192.168.1.20:8787/p/card/abc/card.jpg?v=2',
      thumbUrl: 'http://192.168.1.20:8787/p/card/abc/thumb.jpg?v=2',
      message: '<script>alert(1)</script> 新春快乐 "全家"',
      templateName: '水墨',
    });
    expect(html).toMatch(/<title>团圆照相馆 · 新春全家福贺卡<\/title>/);
    expect(html).toContain('<meta property="og:title" content="团圆照相馆 · 新春全家福贺卡">');
    expect(html).toContain('<meta property="og:description" content="&lt;script&gt;alert(1)&lt;/script&gt; 新春快乐 &quot;全家&quot;">');
    expect(html).toContain('<meta property="og:image" content="http://192.168.1.20:8787/p/card/abc/thumb.jpg?v=2">');
    expect(html).toContain('<meta itemprop="image" content="http://192.168.1.20:8787/p/card/abc/thumb.jpg?v=2">');
    expect(html).not.toContain('<script>');
    // The card is the first image of the body (older WeChat picks that as the thumbnail).
    expect(html.indexOf('<img')).toBeLessThan(html.indexOf('<h1'));
  });
});
