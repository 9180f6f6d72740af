// Identifies an image by its first bytes, never by its file name: phones and operators send
// `.jpg` files that are really PNG or HEIC, and a renamed text file must not reach the decoder.
export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heic' | 'avif' | 'svg' | 'tiff' | 'bmp' | 'pdf' | 'unknown';

/** What the checks decode. Everything else is refused before decoding (see native/README.md). */
export const ACCEPTED_FORMATS: ReadonlySet<SniffedFormat> = new Set(['jpeg', 'png', 'webp']);

const ascii = (buf: Uint8Array, start: number, end: number): string => String.fromCharCode(...buf.subarray(start, end));

export function sniffFormat(buf: Uint8Array): SniffedFormat {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf[0] === 0x89 && ascii(buf, 1, 4) === 'PNG' && buf[4] === 0x0d && buf[5] === 0x0a) return 'png';
  if (buf.length >= 12 && ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return 'webp';
  if (buf.length >= 6 && (ascii(buf, 0, 6) === 'GIF87a' || ascii(buf, 0, 6) === 'GIF89a')) return 'gif';
  if (buf.length >= 12 && ascii(buf, 4, 8) === 'ftyp') {
    const brand = ascii(buf, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  if (buf.length >= 4 && ((buf[0] === 0x49 && buf[1] === 0x49 && buf[2] === 0x2a) || (buf[0] === 0x4d && buf[1] === 0x4d && buf[3] === 0x2a))) return 'tiff';
  if (buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d) return 'bmp';
  if (buf.length >= 5 && ascii(buf, 0, 5) === '%PDF-') return 'pdf';
  // SVG is text: look for an <svg tag near the start, after an optional BOM, XML prolog or comments.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'svg';
  return 'unknown';
}
