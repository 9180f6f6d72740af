import { describe, expect, it } from 'vitest';
import { OSS_CARD_DESCRIPTION, ossCardPageHtml } from './cardPage';
import { ossDownloadPageHtml } from './downloadPage';
import { CARD_TEMPLATES } from '../../../../shared/cards';

const thumbUrl = 'https://photos.example.cn/results/0123456789abcdef0123456789abcdef/thumb.jpg';
const pageUrl = 'https://photos.example.cn/results/0123456789abcdef0123456789abcdef/card.html';
const meta = (html: string, attr: string, name: string) => new RegExp(`<meta ${attr}="${name}" content="([^"]*)">`).exec(html)?.[1];

describe('OSS greeting card page', () => {
  it('carries the title, description and absolute thumbnail WeChat previews read', () => {
    const html = ossCardPageHtml({ thumbUrl, pageUrl });
    expect(html).toMatch(/<title>团圆照相馆 · 新春全家福贺卡<\/title>/);
    expect(meta(html, 'property', 'og:title')).toBe('团圆照相馆 · 新春全家福贺卡');
    expect(meta(html, 'property', 'og:description')).toBe(OSS_CARD_DESCRIPTION);
    expect(meta(html, 'property', 'og:image')).toBe(thumbUrl);
    expect(meta(html, 'itemprop', 'image')).toBe(thumbUrl);
    expect(meta(html, 'property', 'og:url')).toBe(pageUrl);
    // The fragment carries the message: nothing of it is in the uploaded file.
    expect(html).toContain('location.hash');
  });

  it('escapes the studio name and URLs in the markup and in the script', () => {
    const html = ossCardPageHtml({ thumbUrl: `${thumbUrl}?a=1&b="x"`, pageUrl, studio: '</script><img src=x onerror=alert(1)>"馆' });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<\/script><img/);
    expect(meta(html, 'property', 'og:image')).toBe(`${thumbUrl}?a=1&amp;b=&quot;x&quot;`);
    expect(meta(html, 'property', 'og:site_name')).toBe('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;馆');
    // Exactly one closing script tag: the studio name cannot end the script early.
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it('refuses a relative thumbnail (a preview crawler cannot resolve it)', () => {
    expect(() => ossCardPageHtml({ thumbUrl: 'thumb.jpg', pageUrl })).toThrow(/absolute/);
  });

  it('the download page offers the card tab with the shared templates only when there is a card page', () => {
    const withCard = ossDownloadPageHtml({ expiresAt: new Date(Date.now() + 86_400_000), cardName: 'card.html' });
    for (const t of CARD_TEMPLATES) expect(withCard).toContain(`id="tpl-${t.id}"`);
    expect(withCard).toContain('id="tabCard"');
    expect(ossDownloadPageHtml({ expiresAt: new Date() })).not.toContain('tabCard');
    expect(() => ossDownloadPageHtml({ expiresAt: new Date(), cardName: '../card.html' })).toThrow();
  });
});
