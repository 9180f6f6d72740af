// The card drawn on the phone, for the OSS share's static pages (they cannot reach the kiosk to have
// it drawn there). Emits one inline script (ES5, no imports: WeChat's browser, strict CSP) that
// defines `cardProblem(message)` and `drawCard(canvas, photo, templateId, message, done)`, built from
// the one template list and message rule (electron/shared/cards.ts) and the one set of looks
// (looks.ts). Text uses the phone's own CJK font; what a family typed is only ever canvas text.
import { CARD_MESSAGE_MAX, CARD_MESSAGE_PATTERNS, CARD_TEMPLATES } from '../../../shared/cards';
import { CARD_H, CARD_W, LOOKS } from './looks';

/** Shown under the message box; the same rule the kiosk listener refuses with. */
export const CARD_PROBLEM_ZH = {
  empty: '请写一句祝福语',
  tooLong: `祝福语最多 ${CARD_MESSAGE_MAX} 个字`,
  emoji: '贺卡暂不支持表情符号，请只用文字',
  control: '祝福语里有无法显示的字符',
} as const;

/** `</script>`-safe JSON for an inline script. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function cardCanvasScript(studio: string): string {
  const templates = CARD_TEMPLATES.map((t) => {
    const l = LOOKS[t.id];
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_W}" height="${CARD_H}" viewBox="0 0 ${CARD_W} ${CARD_H}">${l.background}</svg>`;
    return { id: t.id, zh: t.zh, heading: t.heading, bg: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, look: { paper: l.paper, heading: l.heading, text: l.text, frame: l.frame, frameWidth: l.frameWidth, footer: l.footer } };
  });
  return `
var CARD_TEMPLATES=${scriptJson(templates)},CARD_MAX=${CARD_MESSAGE_MAX},CARD_STUDIO=${scriptJson(studio)};
var CARD_PROBLEMS=${scriptJson(CARD_PROBLEM_ZH)};
var CARD_PICT=new RegExp(${scriptJson(CARD_MESSAGE_PATTERNS.pictograph.source)},'u'),CARD_CTRL=new RegExp(${scriptJson(CARD_MESSAGE_PATTERNS.control.source)});
function cardTemplate(id){for(var i=0;i<CARD_TEMPLATES.length;i++)if(CARD_TEMPLATES[i].id===id)return CARD_TEMPLATES[i];return null;}
function cardProblem(m){m=String(m).trim();if(!m)return'empty';if(CARD_PICT.test(m))return'emoji';if(CARD_CTRL.test(m))return'control';if(Array.from(m).length>CARD_MAX)return'tooLong';return null;}
function cardWrap(ctx,text,maxW){var lines=[],cur='';Array.from(text.trim().replace(/\\s+/g,' ')).forEach(function(c){if(cur&&ctx.measureText(cur+c).width>maxW){lines.push(cur);cur=c===' '?'':c;}else cur+=c;});if(cur)lines.push(cur);return lines.slice(0,3);}
function drawCard(canvas,photo,id,message,done){
  var t=cardTemplate(id),W=${CARD_W},H=${CARD_H},L=t.look,bg=new Image();
  var FONT='"PingFang SC","Hiragino Sans GB","Noto Serif CJK SC","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",serif';
  bg.onload=bg.onerror=function(){
    canvas.width=W;canvas.height=H;var ctx=canvas.getContext('2d');
    ctx.fillStyle=L.paper;ctx.fillRect(0,0,W,H);
    // Some browsers taint a canvas that drew an SVG: test on a scratch canvas, else keep the plain paper.
    if(bg.naturalWidth){var sc=document.createElement('canvas');sc.width=W;sc.height=H;var sx=sc.getContext('2d');sx.drawImage(bg,0,0,W,H);try{sx.getImageData(0,0,1,1);ctx.drawImage(sc,0,0);}catch(e){}}
    var pw=900,ph=Math.max(520,Math.min(760,Math.round(pw*photo.naturalHeight/photo.naturalWidth))),px=(W-pw)/2,py=280;
    var s=Math.max(pw/photo.naturalWidth,ph/photo.naturalHeight),sw=pw/s,sh=ph/s;
    ctx.drawImage(photo,(photo.naturalWidth-sw)/2,(photo.naturalHeight-sh)/2,sw,sh,px,py,pw,ph);
    ctx.strokeStyle=L.frame;ctx.lineWidth=L.frameWidth;ctx.strokeRect(px-L.frameWidth/2,py-L.frameWidth/2,pw+L.frameWidth,ph+L.frameWidth);
    ctx.textAlign='center';ctx.textBaseline='alphabetic';
    ctx.fillStyle=L.heading;ctx.font='700 104px '+FONT;ctx.fillText(t.heading,W/2,200);
    var size=Array.from(message).length<=24?64:44;ctx.font='700 '+size+'px '+FONT;ctx.fillStyle=L.text;
    var lines=cardWrap(ctx,message,860),lh=Math.round(size*1.45),top=Math.round((py+ph+30+H-130)/2-lines.length*lh/2-size*0.25);
    lines.forEach(function(l,i){ctx.fillText(l,W/2,top+size+i*lh);});
    ctx.fillStyle=L.footer;ctx.font='30px '+FONT;ctx.fillText(CARD_STUDIO,W/2,H-80);
    done();
  };
  bg.src=t.bg;
}
`;
}
