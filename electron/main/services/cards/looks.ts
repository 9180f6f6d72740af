// How the three card templates look (names and headings are in electron/shared/cards.ts): the one
// place for their colours and backgrounds, used by the kiosk's renderer (sharp, render.ts) and by the
// phone's canvas on the OSS download page (phoneCanvas.ts), so both cards look the same.
import type { CardTemplateId } from '../../../shared/cards';

export const CARD_W = 1080;
export const CARD_H = 1440;

export const FONT = "'Noto Serif CJK SC','Noto Serif SC','Source Han Serif SC','Noto Sans CJK SC','Songti SC',serif";

export interface Look {
  background: string;
  /** The background's main colour: what the phone fills when it may not draw the SVG background. */
  paper: string;
  heading: string;
  text: string;
  frame: string;
  frameWidth: number;
  footer: string;
}

/** The three templates' looks (names and headings are in the shared list). */
export const LOOKS: Record<CardTemplateId, Look> = {
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
    paper: '#a51e1e',
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
    paper: '#f6e3b4',
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
    paper: '#f3efe6',
    heading: '#1f1f1f',
    text: '#262626',
    frame: '#3a3a3a',
    frameWidth: 4,
    footer: '#555555',
  },
};

