// The phone download page for the OSS share: a static, self-contained HTML file uploaded next to the
// photo (same unguessable folder), so the QR works on mobile data, away from the kiosk's LAN. It is
// uploaded first (a few KB), and polls for the photo until the upload queue has delivered it: the
// QR works the moment it is scanned. Written for WeChat's in-app browser: no external resources,
// no cookies, long-press to save.

import { CARD_MESSAGE_MAX, CARD_TEMPLATES } from '../../../../shared/cards';
import { cardCanvasScript } from '../../cards/phoneCanvas';

export interface OssDownloadPageOptions {
  /** Blessing line for the greeting-card view. */
  blessing?: string;
  /** When the photo is deleted (30 days after the order). */
  expiresAt: Date;
  /** File names next to the page in the same folder. */
  photoName?: string;
  livingName?: string | null;
  studioName?: string;
  /** The short order code a family quotes to the operator (as on the deliver screen and the print). */
  orderCode?: string;
  /** The operator's after-sales contact (admin setting). */
  afterSalesContact?: string;
  /** The card page next to the photo (paid orders): shows the 贺卡 tab that makes a link to it. */
  cardName?: string | null;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function chineseDate(d: Date): string {
  // China time (UTC+8) regardless of the kiosk's own time zone setting.
  const t = new Date(d.getTime() + 8 * 3600_000);
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日`;
}

const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** The 贺卡 tab: pick a template, type a message, see the card drawn on the phone, get its link. */
function cardTab(cardName: string): string {
  const buttons = CARD_TEMPLATES.map((t, i) => `<button type="button" class="tpl${i === 0 ? ' on' : ''}" data-t="${t.id}" id="tpl-${t.id}">${esc(t.heading)}<br><small>${esc(t.zh)}</small></button>`).join('');
  return `<section id="cardTab" hidden>
    <div class="tpls" role="radiogroup">${buttons}</div>
    <label class="msg">祝福语（最多 ${CARD_MESSAGE_MAX} 字）<textarea id="cardMsg" rows="2" maxlength="200" placeholder="例如：爸妈新年快乐，身体健康"></textarea></label>
    <p class="problem" id="cardProblem" hidden></p>
    <button type="button" class="make" id="cardMake">生成贺卡 · Make the card</button>
    <div id="cardOut" hidden><div class="card"><img id="cardImg" alt="贺卡"></div>
      <p class="hint">长按贺卡可保存；打开下面的链接，点右上角“…”即可发给亲友</p>
      <p><a id="cardLink" class="link" data-base="${esc(cardName)}">打开贺卡链接 · Open the card link</a></p></div>
  </section>`;
}

/** Script of the 贺卡 tab (the card drawing itself comes from cardCanvasScript). */
const CARD_TAB_SCRIPT = `
(function(){
  var tabs=document.querySelectorAll('.tabs button');if(!tabs.length)return;
  tabs.forEach(function(b){b.onclick=function(){tabs.forEach(function(x){x.classList.toggle('on',x===b);});document.getElementById('photoTab').hidden=b.id!=='tabPhoto';document.getElementById('cardTab').hidden=b.id!=='tabCard';};});
  var tpl=CARD_TEMPLATES[0].id,msg=document.getElementById('cardMsg'),prob=document.getElementById('cardProblem');
  document.querySelectorAll('.tpl').forEach(function(b){b.onclick=function(){tpl=b.getAttribute('data-t');document.querySelectorAll('.tpl').forEach(function(x){x.classList.toggle('on',x===b);});};});
  function check(){var p=cardProblem(msg.value);prob.hidden=!p;prob.textContent=p?CARD_PROBLEMS[p]:'';return p;}
  msg.oninput=function(){if(!prob.hidden)check();};
  document.getElementById('cardMake').onclick=function(){
    if(check())return;
    var m=msg.value.trim(),photo=new Image();
    photo.onerror=function(){prob.hidden=false;prob.textContent='照片还在上传，请稍后再试';};
    photo.onload=function(){var c=document.createElement('canvas');drawCard(c,photo,tpl,m,function(){
      document.getElementById('cardImg').src=c.toDataURL('image/jpeg',0.9);
      var a=document.getElementById('cardLink');a.href=new URL(a.getAttribute('data-base'),location.href).href+'#t='+tpl+'&m='+encodeURIComponent(m);
      document.getElementById('cardOut').hidden=false;});};
    photo.src=PHOTO_NAME;
  };
})();
`;

export function ossDownloadPageHtml(o: OssDownloadPageOptions): string {
  const photo = o.photoName ?? 'photo.jpg';
  const living = o.livingName ?? null;
  const card = o.cardName ?? null;
  if (!SAFE_NAME.test(photo) || (living !== null && !SAFE_NAME.test(living)) || (card !== null && !SAFE_NAME.test(card))) throw new Error('download page: file names must be plain names');
  const studio = esc(o.studioName ?? '团圆照相馆');
  const blessing = esc((o.blessing ?? '').slice(0, 60));
  const expiry = chineseDate(o.expiresAt);
  const expiresMs = o.expiresAt.getTime();
  const code = esc((o.orderCode ?? '').slice(0, 12));
  const contact = esc((o.afterSalesContact ?? '').trim().slice(0, 60));
  const aftersales = code || contact
    ? `<p class="order" id="order">${code ? `订单号 <b id="orderCode">${code}</b>` : ''}${code && contact ? '<br>' : ''}${contact ? `售后：<span id="afterSales">${contact}</span>` : ''}<br><span class="muted">${code ? `Order ${code}` : ''}${code && contact ? ' · ' : ''}${contact ? 'After-sales contact above' : ''}</span></p>`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<title>${studio} · 您的全家福</title>
<style>
  body{margin:0;background:#8e1b1b;color:#fff3d6;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;text-align:center}
  main{max-width:560px;margin:0 auto;padding:20px 16px 40px}
  h1{font-size:22px;margin:8px 0 4px;color:#ffd98a}
  .card{background:#fff8ec;color:#5a0b0b;border-radius:14px;padding:12px;margin:16px 0;box-shadow:0 6px 24px rgba(0,0,0,.3)}
  .card img,.card video{width:100%;border-radius:8px;display:block}
  .blessing{font-size:20px;font-weight:700;margin:10px 0 2px;letter-spacing:2px}
  .hint{font-size:15px;color:#ffe7b0}
  .muted{font-size:13px;color:#f3c9a0}
  .order{font-size:15px;color:#fff3d6;margin:14px 0 6px;-webkit-user-select:text;user-select:text}
  .order b{letter-spacing:2px;color:#ffd98a}
  .wait{padding:48px 8px;color:#8e1b1b}
  .spinner{width:36px;height:36px;margin:0 auto 12px;border:4px solid #f1d3a6;border-top-color:#8e1b1b;border-radius:50%;animation:r 1s linear infinite}
  @keyframes r{to{transform:rotate(360deg)}}
  .tabs{display:flex;gap:8px;margin:12px 0}.tabs button,.tpl,.make{flex:1;font:inherit;border:2px solid #ffd98a;border-radius:10px;background:transparent;color:#fff3d6;padding:8px}
  .tabs button.on,.tpl.on{background:#ffd98a;color:#8e1b1b;font-weight:700}
  .tpls{display:flex;gap:8px}.tpl small{font-size:12px}
  .msg{display:block;text-align:left;margin:14px 0 6px}.msg textarea{box-sizing:border-box;width:100%;font:inherit;font-size:17px;border-radius:8px;padding:8px;margin-top:4px}
  .make{width:100%;background:#ffd98a;color:#8e1b1b;font-weight:700;font-size:18px;margin-top:8px}
  .problem{color:#ffe08a;font-weight:700}.link{color:#ffd98a;font-size:18px}
</style>
</head>
<body>
<main>
  <h1>${studio}</h1>
  ${card ? '<nav class="tabs"><button type="button" id="tabPhoto" class="on">照片</button><button type="button" id="tabCard">贺卡</button></nav>' : ''}
  <section id="photoTab">
  <div class="card" id="card">
    <div class="wait" id="wait"><div class="spinner"></div>照片正在上传，请稍候…<br><span class="muted">Uploading your photo…</span></div>
    ${blessing ? `<div class="blessing">${blessing}</div>` : ''}
  </div>
  ${living ? `<div class="card" id="livingCard" hidden><video id="living" playsinline muted loop controls preload="none"></video><div class="muted">微动态 · Living photo</div></div>` : ''}
  <p class="hint">长按照片，选择“保存图片”即可存入相册<br><span class="muted">Press and hold the photo to save it</span></p>
  </section>
  ${card ? cardTab(card) : ''}
  ${aftersales}
  <p class="muted" id="expiry">本页面有效期至 ${expiry}，之后照片将被永久删除<br>Available until ${o.expiresAt.toISOString().slice(0, 10)}</p>
</main>
<script>
${card ? `${cardCanvasScript(o.studioName ?? '团圆照相馆')}var PHOTO_NAME=${JSON.stringify(photo)};${CARD_TAB_SCRIPT}` : ''}
(function(){
  var expires=${expiresMs};
  if(Date.now()>expires){document.getElementById('wait').textContent='照片已过期删除 · This photo has been deleted';return;}
  function poll(name,done,tries){
    fetch(name,{method:'HEAD',cache:'no-store'}).then(function(r){
      if(r.ok){done();return;}
      if(tries<300)setTimeout(function(){poll(name,done,tries+1)},2000);
    }).catch(function(){if(tries<300)setTimeout(function(){poll(name,done,tries+1)},3000);});
  }
  poll(${JSON.stringify(photo)},function(){
    var img=new Image();img.alt='全家福';img.src=${JSON.stringify(photo)};
    var w=document.getElementById('wait');w.parentNode.replaceChild(img,w);
  },0);
  ${living ? `poll(${JSON.stringify(living)},function(){var v=document.getElementById('living');v.src=${JSON.stringify(living)};document.getElementById('livingCard').hidden=false;},0);` : ''}
})();
</script>
</body>
</html>
`;
}
