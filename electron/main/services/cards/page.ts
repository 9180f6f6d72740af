// The card's shareable page: a small static HTML document (no script) that WeChat's in-app browser
// and its link preview can read. The preview takes the title, description and thumbnail from the
// meta tags (og:*, and the schema.org itemprop tags WeChat and QQ also read); the first image in the
// body is the card itself (older WeChat versions pick the first large image as the thumbnail).
// Everything a family typed is HTML-escaped.

export interface CardPageOptions {
  /** Absolute URLs: a preview is fetched by WeChat's servers, not relative to the page. */
  pageUrl: string;
  imageUrl: string;
  thumbUrl: string;
  message: string;
  templateName: string;
  studio?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The title a shared link shows. */
export function cardTitle(studio: string): string {
  return `${studio} · 新春全家福贺卡`;
}

/** What a link preview reads, for both card pages (the LAN one here, the OSS one in share/oss). */
export interface CardHead {
  studio: string;
  description: string;
  /** Absolute URLs: a preview is fetched by WeChat's servers, not relative to the page. */
  thumbUrl: string;
  pageUrl: string;
  /** The OSS page draws the card with an inline script and says so in its own policy. */
  csp?: string;
}

export function cardHeadHtml(h: CardHead): string {
  const title = esc(cardTitle(h.studio));
  const desc = esc(h.description);
  const thumb = esc(h.thumbUrl);
  return `<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
${h.csp ? `<meta http-equiv="Content-Security-Policy" content="${esc(h.csp)}">\n` : ''}<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<title>${title}</title>
<meta name="description" content="${desc}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="${esc(h.studio)}">
<meta property="og:title" content="${title}">
<meta property="og:description" content="${desc}">
<meta property="og:image" content="${thumb}">
<meta property="og:image:width" content="300">
<meta property="og:image:height" content="300">
<meta property="og:url" content="${esc(h.pageUrl)}">
<meta itemprop="name" content="${title}">
<meta itemprop="description" content="${desc}">
<meta itemprop="image" content="${thumb}">
<meta name="twitter:card" content="summary">
<style>
  body{margin:0;background:#8e1b1b;color:#fff3d6;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;text-align:center}
  main{max-width:560px;margin:0 auto;padding:16px 14px 36px}
  img{width:100%;height:auto;border-radius:10px;display:block;box-shadow:0 6px 24px rgba(0,0,0,.35)}
  h1{font-size:20px;margin:14px 0 4px;color:#ffd98a}
  p{margin:6px 0}
  .muted{font-size:13px;color:#f3c9a0}
</style>`;
}

export function cardPageHtml(o: CardPageOptions): string {
  const studio = o.studio ?? '团圆照相馆';
  const title = esc(cardTitle(studio));
  const desc = esc(o.message);
  const img = esc(o.imageUrl);
  return `<!doctype html>
<html lang="zh-CN" itemscope itemtype="http://schema.org/WebPage">
<head>
${cardHeadHtml({ studio, description: o.message, thumbUrl: o.thumbUrl, pageUrl: o.pageUrl })}
</head>
<body>
<main>
  <img id="card" src="${img}" alt="${desc}" width="1080" height="1440">
  <h1>${title}</h1>
  <p id="message">${desc}</p>
  <p class="muted">${esc(o.templateName)} · 长按图片可保存 · Press and hold to save</p>
</main>
</body>
</html>
`;
}
