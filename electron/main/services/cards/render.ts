// Draws a greeting card server-side, so the family can save it as one picture: the template's
// background and heading, the delivered photo in a frame, and their message in the CJK serif font
// (SVG text through sharp/librsvg; fonts-noto-cjk on the kiosk). The message is XML-escaped: what a
// family types is always text on the card, never markup.
import sharp from 'sharp';
import { CARD_TEMPLATES, type CardTemplateId } from '../../../shared/cards';

export const CARD_W = 1080;
export const CARD_H = 1440;
/** WeChat shows link thumbnails square; 300 px is the size its share cards use. */
export const THUMB = 300;

const FONT = "'Noto Serif CJK SC','Noto Serif SC','Source Han Serif SC','Noto Sans CJK SC','Songti SC',serif";

interface Look {
  background: string;
  heading: string;
  text: string;
  frame: string;
  frameWidth: number;
  footer: string;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The three templates' looks (names and headings are in the shared list). */
const LOOKS: Record<CardTemplateId, Look> = {
  // 春节红: deep red, gold corner ornaments and frame.
  chunjie: {
    background: `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#c62828"/><stop offset="1" stop-color="#7f1212"/></linearGradient></defs>
      <rect width="${CARD_W}" height="${CARD_H}" fill="url(#g)"/>
      <rect x="28" y="28" width="${CARD_W - 56}" height="${CARD_H - 56}" fill="none" stroke="#e8b04a" stroke-width="6"/>
      <rect x="44" y="44" width="${CARD_W - 88}" height="${CARD_H - 88}" fill="none" stroke="#e8b04a" stroke-width="2"/>
      ${[
        [44, 44],
        [CARD_W - 44, 44],
        [44, CARD_H - 44],
        [CARD_W - 44, CARD_H - 44],
      ]
        .map(([x, y]) => `<rect x="${x! - 26}" y="${y! - 26}" width="52" height="52" transform="rotate(45 ${x} ${y})" fill="#e8b04a"/>`)
        .join('')}`,
    heading: '#ffd98a',
    text: '#fff3d6',
    frame: '#e8b04a',
    frameWidth: 12,
    footer: '#f3c9a0',
  },
  // 团圆金: warm gold paper, a full moon behind the heading, red lettering.
  tuanyuan: {
    background: `<defs><radialGradient id="m" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#fff6dc"/><stop offset="1" stop-color="#f1cf7a"/></radialGradient></defs>
      <rect width="${CARD_W}" height="${CARD_H}" fill="#f6e3b4"/>
      <circle cx="${CARD_W / 2}" cy="150" r="120" fill="url(#m)"/>
      <rect x="30" y="30" width="${CARD_W - 60}" height="${CARD_H - 60}" rx="36" fill="none" stroke="#b8860b" stroke-width="8"/>
      <path d="M60 ${CARD_H - 110} Q ${CARD_W / 2} ${CARD_H - 130} ${CARD_W - 60} ${CARD_H - 110}" fill="none" stroke="#d4a645" stroke-width="4"/>`,
    heading: '#a8141e',
    text: '#5a0b0b',
    frame: '#b8860b',
    frameWidth: 10,
    footer: '#8a5a12',
  },
  // 水墨: rice paper, ink-wash hills, a red seal.
  shuimo: {
    background: `<defs><linearGradient id="ink" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3a3a3a" stop-opacity="0.55"/><stop offset="1" stop-color="#3a3a3a" stop-opacity="0"/></linearGradient></defs>
      <rect width="${CARD_W}" height="${CARD_H}" fill="#f3efe6"/>
      <path d="M0 ${CARD_H - 120} Q 180 ${CARD_H - 200} 360 ${CARD_H - 130} T 720 ${CARD_H - 140} T ${CARD_W} ${CARD_H - 160} V ${CARD_H} H 0 Z" fill="url(#ink)"/>
      <path d="M0 ${CARD_H - 60} Q 260 ${CARD_H - 140} 520 ${CARD_H - 80} T ${CARD_W} ${CARD_H - 100} V ${CARD_H} H 0 Z" fill="url(#ink)" opacity="0.8"/>
      <path d="M0 150 Q 90 110 170 150 T 330 140" fill="none" stroke="#3a3a3a" stroke-opacity="0.25" stroke-width="10" stroke-linecap="round"/>
      <rect x="${CARD_W - 170}" y="70" width="92" height="92" rx="8" fill="#b22222"/>
      <text x="${CARD_W - 124}" y="135" font-family="${FONT}" font-size="60" font-weight="700" fill="#f3efe6" text-anchor="middle">福</text>`,
    heading: '#1f1f1f',
    text: '#262626',
    frame: '#3a3a3a',
    frameWidth: 4,
    footer: '#555555',
  },
};

const CLOSING = /[，。！？、；：”’）》」』】…,.!?;:)\]]/;

/** Width of a character in ems: CJK and full-width forms one, Latin and digits about half. */
function charWidth(c: string): number {
  return /[\u0000-\u024f\u2000-\u206f]/.test(c) ? 0.55 : 1;
}

/**
 * Breaks the message into at most three lines that fit `maxEm` ems, preferring spaces for Latin
 * words; a message that would need more is shortened with an ellipsis (the 40-character rule
 * keeps that from happening with real text).
 */
export function wrapMessage(message: string, maxEm: number, maxLines = 3): string[] {
  const chars = Array.from(message.trim().replace(/\s+/g, ' '));
  const lines: string[] = [];
  let cur: string[] = [];
  let w = 0;
  for (const c of chars) {
    const cw = charWidth(c);
    // Closing punctuation never starts a line (it stays with its word, a little past the edge).
    if (w + cw > maxEm && cur.length > 0 && !CLOSING.test(c)) {
      const space = cur.lastIndexOf(' ');
      if (space > 0 && c !== ' ') {
        lines.push(cur.slice(0, space).join(''));
        cur = cur.slice(space + 1);
      } else {
        lines.push(cur.join('').trimEnd());
        cur = [];
      }
      w = cur.reduce((a, x) => a + charWidth(x), 0);
      if (c === ' ' && cur.length === 0) continue;
    }
    cur.push(c);
    w += cw;
  }
  if (cur.length) lines.push(cur.join('').trim());
  const kept = lines.filter((l) => l.length > 0);
  if (kept.length <= maxLines) return kept;
  const out = kept.slice(0, maxLines);
  out[maxLines - 1] = `${Array.from(out[maxLines - 1]!).slice(0, -1).join('')}…`;
  return out;
}

export interface CardImages {
  card: Buffer;
  thumb: Buffer;
}

/** The card as a JPEG (CARD_W × CARD_H) and its square thumbnail for link previews. */
export async function renderCard(photo: Buffer, template: CardTemplateId, message: string, studio = '团圆照相馆'): Promise<CardImages> {
  const look = LOOKS[template];
  const heading = CARD_TEMPLATES.find((t) => t.id === template)!.heading;
  // The photo keeps its own shape (a 3:2 print, a 4:3 screen picture) inside a 900-wide frame.
  const meta = await sharp(photo).metadata();
  const pw = 900;
  const ph = Math.max(520, Math.min(760, Math.round((pw * (meta.height ?? 600)) / (meta.width ?? 900))));
  const px = (CARD_W - pw) / 2;
  const py = 280;
  const framed = await sharp(photo).rotate().resize(pw, ph, { fit: 'cover', position: 'attention' }).jpeg({ quality: 92 }).toBuffer();

  const short = Array.from(message).length <= 24;
  const fontSize = short ? 64 : 44;
  const lines = wrapMessage(message, Math.floor(860 / fontSize));
  const lineH = Math.round(fontSize * 1.45);
  // The message sits in the middle of the space between the photo and the studio's name.
  const textTop = Math.round((py + ph + 30 + CARD_H - 130) / 2 - (lines.length * lineH) / 2 - fontSize * 0.25);
  const text = lines
    .map((l, i) => `<text x="${CARD_W / 2}" y="${textTop + fontSize + i * lineH}" font-family="${FONT}" font-size="${fontSize}" font-weight="700" fill="${look.text}" text-anchor="middle">${xml(l)}</text>`)
    .join('');
  const svg = (body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_W}" height="${CARD_H}" viewBox="0 0 ${CARD_W} ${CARD_H}">${body}</svg>`);
  const overlay = svg(`
    <rect x="${px - look.frameWidth / 2}" y="${py - look.frameWidth / 2}" width="${pw + look.frameWidth}" height="${ph + look.frameWidth}" fill="none" stroke="${look.frame}" stroke-width="${look.frameWidth}"/>
    <text x="${CARD_W / 2}" y="200" font-family="${FONT}" font-size="104" font-weight="700" fill="${look.heading}" text-anchor="middle" letter-spacing="12">${xml(heading)}</text>
    ${text}
    <text x="${CARD_W / 2}" y="${CARD_H - 80}" font-family="${FONT}" font-size="30" fill="${look.footer}" text-anchor="middle" letter-spacing="4">${xml(studio)}</text>`);

  const card = await sharp(svg(look.background))
    .composite([
      { input: framed, left: px, top: py },
      { input: overlay, left: 0, top: 0 },
    ])
    .jpeg({ quality: 90, mozjpeg: true })
    .toBuffer();
  const thumb = await sharp(card).extract({ left: px, top: py, width: pw, height: ph }).resize(THUMB, THUMB, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer();
  return { card, thumb };
}
