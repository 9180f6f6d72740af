// The greeting card's shareable page for the OSS share: static HTML uploaded next to the photo
// (`card.html`). Its head carries what WeChat's link preview reads — <title>, og:title,
// og:description, og:image (the thumbnail, absolute) and the schema.org itemprop tags — while the
// family's template and message travel in the URL fragment (#t=…&m=…): browsers never send a
// fragment, so the message never reaches OSS's access logs or the preview crawler. The page's
// script reads the fragment, checks it with the same rule as the kiosk, and draws the card.
import { cardCanvasScript } from '../../cards/phoneCanvas';
import { cardHeadHtml, cardTitle } from '../../cards/page';

export interface OssCardPageOptions {
  /** Absolute URL of `thumb.jpg` in the same folder (preview crawlers do not resolve relative ones). */
  thumbUrl: string;
  /** Absolute URL of this page (og:url). */
  pageUrl: string;
  studio?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** What the preview says under the title (the message itself stays in the fragment). */
export const OSS_CARD_DESCRIPTION = '送您一张新春全家福贺卡，点开看看我们的祝福';

export function ossCardPageHtml(o: OssCardPageOptions): string {
  const studio = o.studio ?? '团圆照相馆';
  for (const u of [o.thumbUrl, o.pageUrl]) if (!/^https?:\/\//.test(u)) throw new Error('card page: URLs must be absolute http(s)');
  const title = esc(cardTitle(studio));
  return `<!doctype html>
<html lang="zh-CN" itemscope itemtype="http://schema.org/WebPage">
<head>
${cardHeadHtml({ studio, description: OSS_CARD_DESCRIPTION, thumbUrl: o.thumbUrl, pageUrl: o.pageUrl, csp: "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'" })}
</head>
<body>
<main>
  <!-- The thumbnail first: older WeChat versions take the first image as the preview. -->
  <img id="card" src="thumb.jpg" alt="${title}">
  <h1>${title}</h1>
  <p class="muted" id="status">贺卡加载中… · Loading the card…</p>
</main>
<script>
${cardCanvasScript(studio)}
(function(){
  var q={};location.hash.replace(/^#/,'').split('&').forEach(function(kv){var i=kv.indexOf('=');if(i>0){try{q[kv.slice(0,i)]=decodeURIComponent(kv.slice(i+1).replace(/\\+/g,' '));}catch(e){}}});
  var status=document.getElementById('status'),msg=String(q.m||'').trim();
  if(!cardTemplate(q.t)||cardProblem(msg)){status.textContent='这个贺卡链接不完整 · This card link is incomplete';return;}
  var photo=new Image();
  photo.onerror=function(){status.textContent='照片已过期删除 · This photo has been deleted';};
  photo.onload=function(){
    var c=document.createElement('canvas');
    drawCard(c,photo,q.t,msg,function(){
      var img=document.getElementById('card');img.src=c.toDataURL('image/jpeg',0.9);img.alt=msg;
      status.textContent=cardTemplate(q.t).zh+' · 长按图片可保存 · Press and hold to save';
    });
  };
  photo.src='photo.jpg';
})();
</script>
</body>
</html>
`;
}
