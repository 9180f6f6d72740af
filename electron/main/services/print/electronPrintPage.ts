// What the Electron host should load in its hidden print window. Printing a *PDF* with
// webContents.print is unreliable (the PDF viewer prints blank pages: electron/electron#30947,
// #29403), so the host prints an HTML page holding the layout's JPEG instead: same pixels, same page
// size (CSS @page), same bleed placement. The JPEG is taken back out of the PDF that layout.ts wrote
// (a single DCT image, see imagePdf.ts), so the print PDF stays the one source of truth.
import { readFile } from 'node:fs/promises';

export interface PrintPage {
  /** A complete HTML document to load (e.g. written to a temp file, or as a data: URL). */
  html: string;
  widthIn: number;
  heightIn: number;
}

/** Reads the page size, image placement and JPEG bytes of a PDF written by imagePdf(). */
export function parseImagePdf(pdf: Buffer): { widthPt: number; heightPt: number; box: { x: number; y: number; w: number; h: number }; jpeg: Buffer } {
  const head = pdf.toString('latin1', 0, Math.min(pdf.length, 4096));
  const media = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(head);
  const cm = /q\n([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+) cm\n\/Im0 Do/.exec(head);
  const img = /\/Subtype \/Image [^>]*\/Filter \/DCTDecode \/Length (\d+) >>\nstream\n/.exec(head);
  if (!media || !cm || !img) throw new Error('not a kiosk print PDF (expected one full-page JPEG)');
  const start = img.index + img[0].length;
  const length = Number(img[1]);
  if (start + length > pdf.length) throw new Error('print PDF is truncated');
  const jpeg = pdf.subarray(start, start + length);
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('print PDF image is not a JPEG');
  return {
    widthPt: Number(media[1]),
    heightPt: Number(media[2]),
    box: { w: Number(cm[1]), h: Number(cm[2]), x: Number(cm[3]), y: Number(cm[4]) },
    jpeg,
  };
}

const r4 = (n: number): string => String(Math.round(n * 10_000) / 10_000);

/** Builds the HTML page the Electron host prints for a layout PDF. */
export async function electronPrintPage(pdfPath: string): Promise<PrintPage> {
  const p = parseImagePdf(await readFile(pdfPath));
  const widthIn = p.widthPt / 72;
  const heightIn = p.heightPt / 72;
  // PDF y grows upwards from the bottom; CSS top grows downwards.
  const left = p.box.x / 72;
  const top = (p.heightPt - (p.box.y + p.box.h)) / 72;
  const html = `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style>
@page { size: ${r4(widthIn)}in ${r4(heightIn)}in; margin: 0 }
html, body { margin: 0; padding: 0; background: #fff }
.page { position: relative; width: ${r4(widthIn)}in; height: ${r4(heightIn)}in; overflow: hidden }
.page img { position: absolute; left: ${r4(left)}in; top: ${r4(top)}in; width: ${r4(p.box.w / 72)}in; height: ${r4(p.box.h / 72)}in }
</style></head>
<body><div class="page"><img alt="" src="data:image/jpeg;base64,${p.jpeg.toString('base64')}"></div></body></html>
`;
  return { html, widthIn, heightIn };
}
