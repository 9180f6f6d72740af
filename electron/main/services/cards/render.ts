// Draws a greeting card server-side, so the family can save it as one picture: the template's
// background and heading, the delivered photo in a frame, and their message in the CJK serif font
// (SVG text through sharp/librsvg; fonts-noto-cjk on the kiosk). The message is XML-escaped: what a
// family types is always text on the card, never markup.
import sharp from 'sharp';
import { CARD_TEMPLATES, type CardTemplateId } from '../../../shared/cards';
import { CARD_H, CARD_W, FONT, LOOKS } from './looks';

export { CARD_H, CARD_W };

/** WeChat shows link thumbnails square; 300 px is the size its share cards use. */
export const THUMB = 300;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

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
