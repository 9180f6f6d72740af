// The still half of a Live Photo: iOS pairs a JPEG with a MOV when the JPEG's Apple maker note
// carries tag 17 (0x0011, "content identifier", the asset identifier) equal to the MOV's
// com.apple.quicktime.content.identifier. This module writes that EXIF block (no exiftool needed)
// and reads it back, so tests can check the pair without an iPhone.
//
// Layout written (big-endian TIFF):
//   APP1 "Exif\0\0" · TIFF "MM\0*" · IFD0 { Make "Apple", Software, Orientation 1, ExifIFD → }
//   Exif IFD { ExifVersion "0232", MakerNote → , ColorSpace 1, PixelXDimension, PixelYDimension }
//   MakerNote = "Apple iOS\0" 00 01 "MM" · IFD { 0x0011 ASCII "<UUID>\0" }, offsets relative to the
//   maker note start (as exiftool's Apple.pm reads it: Start = +14, Base = start of the note).

const SOI = 0xffd8;

type Entry = { tag: number; type: number; count: number; value: Buffer };

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** Serialises one IFD (entries sorted by tag) at `ifdOffset`, values that do not fit inline placed after it. */
function writeIfd(entries: Entry[], ifdOffset: number, nextIfd = 0): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const head = 2 + sorted.length * 12 + 4;
  const extra: Buffer[] = [];
  let extraLen = 0;
  const table = Buffer.alloc(head);
  table.writeUInt16BE(sorted.length, 0);
  sorted.forEach((e, i) => {
    const o = 2 + i * 12;
    table.writeUInt16BE(e.tag, o);
    table.writeUInt16BE(e.type, o + 2);
    table.writeUInt32BE(e.count, o + 4);
    if (e.value.length <= 4) {
      e.value.copy(table, o + 8);
    } else {
      table.writeUInt32BE(ifdOffset + head + extraLen, o + 8);
      const padded = e.value.length % 2 ? Buffer.concat([e.value, Buffer.alloc(1)]) : e.value;
      extra.push(padded);
      extraLen += padded.length;
    }
  });
  table.writeUInt32BE(nextIfd, head - 4);
  return Buffer.concat([table, ...extra]);
}

const ascii = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(n, 0);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

/** The Apple maker note holding the content identifier. */
export function appleMakerNote(assetId: string): Buffer {
  const header = Buffer.concat([Buffer.from('Apple iOS\0', 'latin1'), Buffer.from([0x00, 0x01]), Buffer.from('MM', 'latin1')]);
  const id = ascii(assetId);
  const ifd = writeIfd([{ tag: 0x0011, type: 2, count: id.length, value: id }], header.length);
  return Buffer.concat([header, ifd]);
}

/** A complete APP1 Exif segment (marker included) carrying the Apple maker note. */
export function exifSegment(assetId: string, width: number, height: number, software = 'Reunion Photo Studio'): Buffer {
  const maker = appleMakerNote(assetId);
  // TIFF offsets are from the TIFF header; IFD0 starts right after it.
  const ifd0Entries = (exifOffset: number): Entry[] => [
    { tag: 0x010f, type: 2, count: 6, value: ascii('Apple') },
    { tag: 0x0112, type: 3, count: 1, value: u16(1) },
    { tag: 0x0131, type: 2, count: software.length + 1, value: ascii(software) },
    { tag: 0x8769, type: 4, count: 1, value: u32(exifOffset) },
  ];
  const ifd0Len = writeIfd(ifd0Entries(0), 8).length;
  const exifOffset = 8 + ifd0Len;
  const ifd0 = writeIfd(ifd0Entries(exifOffset), 8);
  const exifIfd = writeIfd(
    [
      { tag: 0x9000, type: 7, count: 4, value: Buffer.from('0232', 'latin1') },
      { tag: 0x927c, type: 7, count: maker.length, value: maker },
      { tag: 0xa001, type: 3, count: 1, value: u16(1) },
      { tag: 0xa002, type: 4, count: 1, value: u32(width) },
      { tag: 0xa003, type: 4, count: 1, value: u32(height) },
    ],
    exifOffset,
  );
  const tiff = Buffer.concat([Buffer.from([0x4d, 0x4d, 0x00, 0x2a]), u32(8), ifd0, exifIfd]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  if (body.length + 2 > 0xffff) throw new Error('EXIF segment too large');
  const seg = Buffer.alloc(4);
  seg.writeUInt16BE(0xffe1, 0);
  seg.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([seg, body]);
}

interface Segment {
  marker: number;
  start: number;
  end: number;
}

/** Marker segments before the scan (SOS); throws on anything that is not a well-formed JPEG header. */
function segments(jpeg: Buffer): { list: Segment[]; scanStart: number } {
  if (jpeg.length < 4 || jpeg.readUInt16BE(0) !== SOI) throw new Error('not a JPEG');
  const list: Segment[] = [];
  let p = 2;
  while (p + 4 <= jpeg.length) {
    if (jpeg[p] !== 0xff) throw new Error('corrupt JPEG marker');
    const marker = jpeg.readUInt16BE(p);
    if (marker === 0xffda) return { list, scanStart: p };
    const len = jpeg.readUInt16BE(p + 2);
    if (len < 2 || p + 2 + len > jpeg.length) throw new Error('corrupt JPEG segment');
    list.push({ marker, start: p, end: p + 2 + len });
    p += 2 + len;
  }
  throw new Error('JPEG has no image data');
}

const isExif = (jpeg: Buffer, s: Segment): boolean =>
  s.marker === 0xffe1 && jpeg.subarray(s.start + 4, s.start + 10).toString('latin1') === 'Exif\0\0';

/** Returns the JPEG with any existing Exif/JFIF header replaced by one carrying the Apple content identifier. */
export function withAppleContentId(jpeg: Buffer, assetId: string, width: number, height: number): Buffer {
  const { list, scanStart } = segments(jpeg);
  // JFIF (APP0) and Exif (APP1) both claim the first slot; iPhone JPEGs carry Exif only.
  const kept = list.filter((s) => s.marker !== 0xffe0 && !isExif(jpeg, s)).map((s) => jpeg.subarray(s.start, s.end));
  return Buffer.concat([jpeg.subarray(0, 2), exifSegment(assetId, width, height), ...kept, jpeg.subarray(scanStart)]);
}

class TiffReader {
  constructor(
    readonly buf: Buffer,
    readonly little: boolean,
  ) {}
  u16(o: number): number {
    return this.little ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.little ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  /** A LONG value stored inline in an entry (e.g. the Exif IFD pointer). */
  readPointer(data: Buffer): number {
    return this.little ? data.readUInt32LE(0) : data.readUInt32BE(0);
  }
  /** Entries of the IFD at `at` (absolute in buf); value offsets are relative to `base`. */
  ifd(at: number, base: number): Map<number, { type: number; count: number; data: Buffer }> {
    const out = new Map<number, { type: number; count: number; data: Buffer }>();
    const n = this.u16(at);
    for (let i = 0; i < n; i++) {
      const o = at + 2 + i * 12;
      if (o + 12 > this.buf.length) break;
      const tag = this.u16(o);
      const type = this.u16(o + 2);
      const count = this.u32(o + 4);
      const size = (TYPE_SIZE[type] ?? 1) * count;
      const start = size <= 4 ? o + 8 : base + this.u32(o + 8);
      if (start + size > this.buf.length) continue;
      out.set(tag, { type, count, data: this.buf.subarray(start, start + size) });
    }
    return out;
  }
}

/** Reads the Apple content identifier (maker note tag 0x0011) from a JPEG; null when absent or unreadable. */
export function readAppleContentId(jpeg: Buffer): string | null {
  try {
    const { list } = segments(jpeg);
    const seg = list.find((s) => isExif(jpeg, s));
    if (!seg) return null;
    const tiff = jpeg.subarray(seg.start + 10, seg.end);
    const r = new TiffReader(tiff, tiff.toString('latin1', 0, 2) === 'II');
    const ifd0 = r.ifd(r.u32(4), 0);
    const exifPtr = ifd0.get(0x8769);
    if (!exifPtr) return null;
    const exif = r.ifd(r.readPointer(exifPtr.data), 0);
    const maker = exif.get(0x927c)?.data;
    if (!maker || maker.toString('latin1', 0, 10) !== 'Apple iOS\0') return null;
    const mr = new TiffReader(maker, maker.toString('latin1', 12, 14) === 'II');
    const tag = mr.ifd(14, 0).get(0x0011);
    if (!tag) return null;
    return tag.data.toString('latin1').replace(/\0.*$/s, '');
  } catch {
    return null;
  }
}
