// A one-page PDF holding one JPEG, written by hand. A print page is exactly one full-bleed bitmap, so
// a general PDF library would add weight without adding anything; what matters here is that
// (1) the JPEG bytes pass through untouched (DCTDecode, no re-encoding), (2) the colour space is the
// embedded ICC profile (ICCBased), so the print path sees tagged sRGB rather than "some RGB", and
// (3) the xref offsets are exact, so strict RIPs (Ghostscript in CUPS, printer firmware) accept it.

export interface ImagePdfInput {
  /** Baseline or progressive JPEG, RGB (3 components). */
  jpeg: Buffer;
  /** Pixel size of the JPEG. */
  pixelWidth: number;
  pixelHeight: number;
  /** ICC profile to tag the image with (e.g. sRGB); DeviceRGB when absent. */
  icc?: Buffer;
  /** Page size in points (1/72 in). */
  pageWidthPt: number;
  pageHeightPt: number;
  /** Where the image is drawn on the page, in points; may overflow the page (bleed). */
  imageBox: { x: number; y: number; width: number; height: number };
  title?: string;
}

/** Numbers in content streams: fixed precision, no exponent notation. */
function num(n: number): string {
  const s = n.toFixed(4).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** A PDF text string as UTF-16BE hex, so any title (Chinese included) is safe. */
function pdfTextString(s: string): string {
  const buf = Buffer.from('\ufeff' + s, 'utf16le');
  buf.swap16();
  return `<${buf.toString('hex').toUpperCase()}>`;
}

export function imagePdf(input: ImagePdfInput): Buffer {
  const { pageWidthPt: W, pageHeightPt: H, imageBox: b } = input;
  if (!(W > 0 && H > 0 && b.width > 0 && b.height > 0)) throw new RangeError('imagePdf: page and image sizes must be positive');
  if (!Number.isInteger(input.pixelWidth) || !Number.isInteger(input.pixelHeight) || input.pixelWidth <= 0 || input.pixelHeight <= 0) {
    throw new RangeError('imagePdf: pixel sizes must be positive integers');
  }
  if (input.jpeg.length < 4 || input.jpeg[0] !== 0xff || input.jpeg[1] !== 0xd8) throw new TypeError('imagePdf: image is not a JPEG');

  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    length += buf.length;
  };
  const object = (id: number, body: () => void): void => {
    offsets[id] = length;
    push(`${id} 0 obj\n`);
    body();
    push('\nendobj\n');
  };

  // Binary comment after the header tells transfer tools the file is binary.
  push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');

  const content = `q\n${num(b.width)} 0 0 ${num(b.height)} ${num(b.x)} ${num(b.y)} cm\n/Im0 Do\nQ\n`;
  const hasIcc = !!input.icc && input.icc.length > 0;
  const colorSpace = hasIcc ? '[/ICCBased 6 0 R]' : '/DeviceRGB';
  const box = `[0 0 ${num(W)} ${num(H)}]`;

  object(1, () => push('<< /Type /Catalog /Pages 2 0 R >>'));
  object(2, () => push('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'));
  object(3, () =>
    push(
      `<< /Type /Page /Parent 2 0 R /MediaBox ${box} /TrimBox ${box} /CropBox ${box} ` +
        `/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>`,
    ),
  );
  object(4, () => push(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`));
  object(5, () => {
    push(
      `<< /Type /XObject /Subtype /Image /Width ${input.pixelWidth} /Height ${input.pixelHeight} ` +
        `/ColorSpace ${colorSpace} /BitsPerComponent 8 /Filter /DCTDecode /Length ${input.jpeg.length} >>\nstream\n`,
    );
    push(input.jpeg);
    push('\nendstream');
  });
  let infoId = 6;
  if (hasIcc) {
    object(6, () => {
      push(`<< /N 3 /Alternate /DeviceRGB /Length ${input.icc!.length} >>\nstream\n`);
      push(input.icc!);
      push('\nendstream');
    });
    infoId = 7;
  }
  object(infoId, () => push(`<< /Producer (tuanyuan-kiosk) ${input.title ? `/Title ${pdfTextString(input.title)}` : ''} >>`));

  const xrefAt = length;
  const count = infoId + 1;
  let xref = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let i = 1; i < count; i++) xref += `${String(offsets[i]).padStart(10, '0')} 00000 n \n`;
  push(xref);
  push(`trailer\n<< /Size ${count} /Root 1 0 R /Info ${infoId} 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return Buffer.concat(chunks, length);
}
