// The phone download page for the OSS share: a static, self-contained HTML file uploaded next to the
// photo (same unguessable folder), so the QR works on mobile data, away from the kiosk's LAN. It is
// uploaded first (a few KB), and polls for the photo until the upload queue has delivered it: the
// QR works the moment it is scanned. Written for WeChat's in-app browser: no external resources,
// no cookies, long-press to save.

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

export function ossDownloadPageHtml(o: OssDownloadPageOptions): string {
  const photo = o.photoName ?? 'photo.jpg';
  const living = o.livingName ?? null;
  if (!SAFE_NAME.test(photo) || (living !== null && !SAFE_NAME.test(living))) throw new Error('download page: file names must be plain names');
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
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'">
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
</style>
</head>
<body>
<main>
  <h1>${studio}</h1>
  <div class="card" id="card">
    <div class="wait" id="wait"><div class="spinner"></div>照片正在上传，请稍候…<br><span class="muted">Uploading your photo…</span></div>
    ${blessing ? `<div class="blessing">${blessing}</div>` : ''}
  </div>
  ${living ? `<div class="card" id="livingCard" hidden><video id="living" playsinline muted loop controls preload="none"></video><div class="muted">微动态 · Living photo</div></div>` : ''}
  <p class="hint">长按照片，选择“保存图片”即可存入相册<br><span class="muted">Press and hold the photo to save it</span></p>
  ${aftersales}
  <p class="muted" id="expiry">本页面有效期至 ${expiry}，之后照片将被永久删除<br>Available until ${o.expiresAt.toISOString().slice(0, 10)}</p>
</main>
<script>
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
