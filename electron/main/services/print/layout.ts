// The print page: the chosen result, cover-fitted at the printer's own resolution with bleed, plus the
// optional blessing/date line, a small QR to the download page, and the "AI生成" mark (AI-generated
// content must stay labelled on every copy that leaves the kiosk). Output: a one-page PDF, sRGB-tagged.
import QRCode from 'qrcode';
import sharp from 'sharp';
import { KioskFailure } from '../../../shared/result';
import { writeFileAtomic } from '../../infra/files';
import { imagePdf } from './imagePdf';

export interface PrintSize {
  id: string;
  widthIn: number;
  heightIn: number;
  dpi: number;
  /** Extra image beyond each page edge, for borderless dye-sub printers that overspray. */
  bleedIn: number;
}

/** The two sizes every common kiosk dye-sub printer (DNP DS-RX1, Citizen CX-02, HiTi) takes. */
export const PRINT_SIZES = {
  '6x4': { id: '6x4', widthIn: 6, heightIn: 4, dpi: 300, bleedIn: 0.05 },
  '6x8': { id: '6x8', widthIn: 6, heightIn: 8, dpi: 300, bleedIn: 0.05 },
} as const satisfies Record<string, PrintSize>;

export interface RenderPrintOptions {
  image: Buffer;
  size: PrintSize;
  outPath: string;
  blessing?: string;
  dateLine?: string;
  qrText?: string;
  /** Keep the "AI生成" label on the print (default true). */
  aiMark?: boolean;
  /**
   * 'auto' (default): turn the page to the photo's orientation (a 6×4 sheet prints a portrait photo
   * as 4×6); 'fixed': use widthIn × heightIn as given and crop to it.
   */
  orientation?: 'auto' | 'fixed';
}

export interface RenderedPrint {
  pdfPath: string;
  widthPt: number;
  heightPt: number;
}

/** Fonts tried in order by Pango: Linux (Noto CJK), Windows (YaHei), macOS (PingFang). */
const FONT_FAMILIES = 'Noto Sans CJK SC,Source Han Sans SC,Microsoft YaHei,PingFang SC,sans-serif';
const MAX_TEXT_CHARS = 40;

function validSize(s: PrintSize): boolean {
  return (
    Number.isFinite(s.widthIn) && Number.isFinite(s.heightIn) && Number.isFinite(s.dpi) && Number.isFinite(s.bleedIn) &&
    s.widthIn >= 1 && s.widthIn <= 24 && s.heightIn >= 1 && s.heightIn <= 24 &&
    s.dpi >= 72 && s.dpi <= 1200 && s.bleedIn >= 0 && s.bleedIn <= Math.min(s.widthIn, s.heightIn) / 8
  );
}

function escapeMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Single line, no control characters, bounded: the blessing is operator/customer text. */
function cleanLine(s: string | undefined): string {
  if (!s) return '';
  const one = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return [...one].slice(0, MAX_TEXT_CHARS).join('');
}

/** Text rendered by Pango at print resolution, shrunk if it would overflow `maxWidth`. */
async function textImage(text: string, opts: { pt: number; dpi: number; color: string; bold?: boolean; maxWidth: number }) {
  const font = `${FONT_FAMILIES} ${opts.bold ? 'Bold ' : ''}${opts.pt}`;
  const markup = `<span foreground="${opts.color}">${escapeMarkup(text)}</span>`;
  const { data, info } = await sharp({ text: { text: markup, font, dpi: opts.dpi, rgba: true } }).png().toBuffer({ resolveWithObject: true });
  if (info.width <= opts.maxWidth) return { data, width: info.width, height: info.height };
  const height = Math.max(1, Math.floor((info.height * opts.maxWidth) / info.width));
  const resized = await sharp(data).resize(opts.maxWidth, height, { fit: 'fill' }).png().toBuffer();
  return { data: resized, width: opts.maxWidth, height };
}

function roundedRect(width: number, height: number, radius: number, fill: string, opacity: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="0" y="0" width="${width}" height="${height}" rx="${radius}" ry="${radius}" fill="${fill}" fill-opacity="${opacity}"/></svg>`,
  );
}

/**
 * Renders the print page and writes the PDF atomically to `outPath`.
 * Throws KioskFailure('PRINT_LAYOUT_INPUT') for an unreadable image or an impossible size.
 */
export async function renderPrintPdf(opts: RenderPrintOptions): Promise<RenderedPrint> {
  const { size } = opts;
  if (!validSize(size)) throw new KioskFailure('PRINT_LAYOUT_INPUT', '打印尺寸设置有误，请联系工作人员', false);

  let meta: sharp.Metadata;
  try {
    meta = await sharp(opts.image, { failOn: 'error' }).metadata();
  } catch {
    throw new KioskFailure('PRINT_LAYOUT_INPUT', '照片无法打印，请重试或联系工作人员', false);
  }
  if (!meta.width || !meta.height) throw new KioskFailure('PRINT_LAYOUT_INPUT', '照片无法打印，请重试或联系工作人员', false);

  // EXIF orientations 5–8 swap width and height once applied.
  const swapped = (meta.orientation ?? 1) >= 5;
  const imgW = swapped ? meta.height : meta.width;
  const imgH = swapped ? meta.width : meta.height;
  let widthIn = size.widthIn;
  let heightIn = size.heightIn;
  if ((opts.orientation ?? 'auto') === 'auto' && imgW !== imgH && imgW > imgH !== widthIn > heightIn) {
    [widthIn, heightIn] = [heightIn, widthIn];
  }

  const dpi = size.dpi;
  const pageW = Math.round(widthIn * dpi);
  const pageH = Math.round(heightIn * dpi);
  const bleed = Math.round(size.bleedIn * dpi);
  const canvasW = pageW + 2 * bleed;
  const canvasH = pageH + 2 * bleed;
  // Safe area: a printer's cut may wander a little past the bleed, so text keeps a margin inside it.
  const margin = bleed + Math.round(0.12 * dpi);
  const shortSide = Math.min(pageW, pageH);

  const overlays: sharp.OverlayOptions[] = [];

  const blessing = cleanLine(opts.blessing);
  const dateLine = cleanLine(opts.dateLine);
  const qrText = opts.qrText?.trim() ?? '';
  if (blessing || dateLine || qrText) {
    const bandH = Math.round(shortSide * 0.17);
    const pad = Math.round(bandH * 0.12);
    const bandW = canvasW - 2 * margin;
    const bandTop = canvasH - margin - bandH;
    overlays.push({ input: roundedRect(bandW, bandH, Math.round(pad * 0.8), '#5a0b0b', 0.62), left: margin, top: bandTop });

    let textRight = margin + bandW - pad;
    if (qrText) {
      const qrSide = bandH - 2 * pad;
      const qr = await QRCode.toBuffer(qrText, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: qrSide, color: { dark: '#000000', light: '#ffffff' } });
      const qrImg = await sharp(qr).resize(qrSide, qrSide, { kernel: 'nearest' }).png().toBuffer();
      const qrLeft = margin + bandW - pad - qrSide;
      overlays.push({ input: qrImg, left: qrLeft, top: bandTop + pad });
      textRight = qrLeft - pad;
    }
    const textLeft = margin + pad;
    const maxWidth = Math.max(1, textRight - textLeft);
    const lines = [];
    if (blessing) lines.push(await textImage(blessing, { pt: Math.max(6, (bandH / dpi) * 72 * 0.32), dpi, color: '#ffe8a3', bold: true, maxWidth }));
    if (dateLine) lines.push(await textImage(dateLine, { pt: Math.max(5, (bandH / dpi) * 72 * 0.17), dpi, color: '#ffffff', maxWidth }));
    const gap = Math.round(pad * 0.5);
    const total = lines.reduce((h, l) => h + l.height, 0) + gap * Math.max(0, lines.length - 1);
    let y = bandTop + Math.max(0, Math.round((bandH - total) / 2));
    for (const line of lines) {
      if (y + line.height > canvasH) break;
      overlays.push({ input: line.data, left: textLeft, top: y });
      y += line.height + gap;
    }
  }

  if (opts.aiMark !== false) {
    const mark = await textImage('AI生成', { pt: Math.max(5, (shortSide / dpi) * 72 * 0.035), dpi, color: '#ffffff', maxWidth: Math.round(pageW / 4) });
    const padX = Math.round(mark.height * 0.35);
    const padY = Math.round(mark.height * 0.15);
    const boxW = mark.width + 2 * padX;
    const boxH = mark.height + 2 * padY;
    const left = canvasW - margin - boxW;
    overlays.push({ input: roundedRect(boxW, boxH, Math.round(boxH / 3), '#000000', 0.45), left, top: margin });
    overlays.push({ input: mark.data, left: left + padX, top: margin + padY });
  }

  let jpeg: Buffer;
  try {
    // rotate() applies EXIF orientation; sharp converts from the embedded profile to sRGB and
    // withIccProfile('srgb') tags the output, so the printer's colour management has a source profile.
    const base = await sharp(opts.image, { failOn: 'error' })
      .rotate()
      .resize(canvasW, canvasH, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    jpeg = await sharp(base.data, { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } })
      .composite(overlays)
      .withIccProfile('srgb')
      .jpeg({ quality: 93, chromaSubsampling: '4:4:4', mozjpeg: false })
      .toBuffer();
  } catch (e) {
    if (e instanceof KioskFailure) throw e;
    throw new KioskFailure('PRINT_LAYOUT_INPUT', '照片无法打印，请重试或联系工作人员', false);
  }
  const icc = (await sharp(jpeg).metadata()).icc;

  const widthPt = (pageW * 72) / dpi;
  const heightPt = (pageH * 72) / dpi;
  const bleedPt = (bleed * 72) / dpi;
  const pdf = imagePdf({
    jpeg,
    pixelWidth: canvasW,
    pixelHeight: canvasH,
    icc,
    pageWidthPt: widthPt,
    pageHeightPt: heightPt,
    imageBox: { x: -bleedPt, y: -bleedPt, width: widthPt + 2 * bleedPt, height: heightPt + 2 * bleedPt },
    title: '团圆照相馆',
  });
  writeFileAtomic(opts.outPath, pdf);
  return { pdfPath: opts.outPath, widthPt, heightPt };
}
