// The movie half of a Live Photo needs, besides the content identifier (written by ffmpeg as an
// mdta key), a timed metadata track whose one sample says "the still photo is this moment":
// key mdta/com.apple.quicktime.still-image-time, int8 value -1. ffmpeg cannot write 'mebx' tracks,
// so this module appends one to a finished MOV (moov at the end, as ffmpeg writes it without
// +faststart) following Apple's QuickTime File Format "Timed metadata media" chapter:
// trak{tkhd, [edts], mdia{mdhd, hdlr mhlr/meta, minf{gmhd{gmin}, hdlr dhlr/url, dinf, stbl{stsd{mebx{keys{1{keyd,dtyp}}}}, stts, stsc, stsz, stco}}}}.
// The sample lives in a small extra 'mdat' placed before the moov, so existing chunk offsets stay valid.

export const STILL_IMAGE_TIME_KEY = 'com.apple.quicktime.still-image-time';
const WELL_KNOWN_INT8 = 65; // QTFF well-known data type: 8-bit signed integer

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...parts);
}

function u32s(...ns: number[]): Buffer {
  const b = Buffer.alloc(4 * ns.length);
  ns.forEach((n, i) => b.writeUInt32BE(n >>> 0, i * 4));
  return b;
}

function u16s(...ns: number[]): Buffer {
  const b = Buffer.alloc(2 * ns.length);
  ns.forEach((n, i) => b.writeUInt16BE(n & 0xffff, i * 2));
  return b;
}

const IDENTITY = u32s(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

export interface Atom {
  type: string;
  start: number;
  size: number;
  header: number;
}

/** Child atoms of the region [start, end). Stops (without throwing) at a truncated atom. */
export function atoms(buf: Buffer, start = 0, end = buf.length): Atom[] {
  const out: Atom[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = buf.readUInt32BE(p);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) break;
      size = Number(buf.readBigUInt64BE(p + 8));
      header = 16;
    } else if (size === 0) {
      size = end - p;
    }
    if (size < header || p + size > end) break;
    out.push({ type: buf.toString('latin1', p + 4, p + 8), start: p, size, header });
    p += size;
  }
  return out;
}

const child = (buf: Buffer, parent: Atom, type: string): Atom | undefined =>
  atoms(buf, parent.start + parent.header, parent.start + parent.size).find((a) => a.type === type);

function path(buf: Buffer, parent: Atom, ...types: string[]): Atom | undefined {
  let cur: Atom | undefined = parent;
  for (const t of types) {
    if (!cur) return undefined;
    cur = child(buf, cur, t);
  }
  return cur;
}

function movieHeader(buf: Buffer, moov: Atom): { timescale: number; duration: number; nextTrackIdAt: number } {
  const mvhd = child(buf, moov, 'mvhd');
  if (!mvhd) throw new Error('MOV without mvhd');
  const p = mvhd.start + mvhd.header;
  const v1 = buf[p] === 1;
  const timescale = buf.readUInt32BE(p + (v1 ? 20 : 12));
  const duration = v1 ? Number(buf.readBigUInt64BE(p + 24)) : buf.readUInt32BE(p + 16);
  return { timescale, duration, nextTrackIdAt: p + (v1 ? 108 : 96) };
}

/**
 * Returns the MOV with a still-image-time metadata track added (sample at `stillTimeSec`).
 * Throws on input that is not a QuickTime file with its moov after the media data.
 */
export function addStillImageTimeTrack(mov: Buffer, stillTimeSec = 0): Buffer {
  const top = atoms(mov);
  const moovIndex = top.findIndex((a) => a.type === 'moov');
  const moov = top[moovIndex];
  if (!moov) throw new Error('MOV without moov');
  if (top.slice(moovIndex + 1).some((a) => a.type === 'mdat')) throw new Error('moov must follow the media data');
  const { timescale, duration, nextTrackIdAt } = movieHeader(mov, moov);
  const trackId = mov.readUInt32BE(nextTrackIdAt);

  const mediaScale = 600;
  const sampleTicks = 20; // 1/30 s: the marker is an instant
  const stillMovie = Math.round(stillTimeSec * timescale);
  const trackDuration = Math.min(duration, stillMovie + Math.round((sampleTicks / mediaScale) * timescale));

  // The sample: one atom per value, its type the local key id (1), the payload an int8 −1.
  const sample = Buffer.from([0, 0, 0, 9, 0, 0, 0, 1, 0xff]);
  const mdat = box('mdat', sample);
  const sampleOffset = moov.start + 8; // the new mdat goes where the moov was; its payload follows its header

  const keyd = box('keyd', Buffer.from('mdta', 'latin1'), Buffer.from(STILL_IMAGE_TIME_KEY, 'latin1'));
  const dtyp = box('dtyp', u32s(0, WELL_KNOWN_INT8));
  const keyAtom = Buffer.concat([u32s(8 + keyd.length + dtyp.length, 1), keyd, dtyp]);
  const mebx = box('mebx', Buffer.alloc(6), u16s(1), box('keys', keyAtom));
  const stbl = box(
    'stbl',
    fullBox('stsd', 0, 0, u32s(1), mebx),
    fullBox('stts', 0, 0, u32s(1, 1, sampleTicks)),
    fullBox('stsc', 0, 0, u32s(1, 1, 1, 1)),
    fullBox('stsz', 0, 0, u32s(sample.length, 1)),
    fullBox('stco', 0, 0, u32s(1, sampleOffset)),
  );
  const name = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
  const minf = box(
    'minf',
    box('gmhd', fullBox('gmin', 0, 0, u16s(0x40, 0x8000, 0x8000, 0x8000, 0, 0))),
    fullBox('hdlr', 0, 0, Buffer.from('dhlrurl ', 'latin1'), u32s(0, 0, 0), name('Core Media Data Handler')),
    box('dinf', fullBox('dref', 0, 0, u32s(1), fullBox('url ', 0, 1))),
    stbl,
  );
  const mdia = box(
    'mdia',
    fullBox('mdhd', 0, 0, u32s(0, 0, mediaScale, sampleTicks), u16s(0x55c4, 0)),
    fullBox('hdlr', 0, 0, Buffer.from('mhlrmeta', 'latin1'), u32s(0, 0, 0), name('Core Media Metadata')),
    minf,
  );
  // An empty edit holds the sample back to the still moment (none needed at t = 0).
  const edts =
    stillMovie > 0
      ? [box('edts', fullBox('elst', 0, 0, u32s(2, stillMovie, 0xffffffff, 0x00010000, trackDuration - stillMovie, 0, 0x00010000)))]
      : [];
  const tkhd = fullBox(
    'tkhd',
    0,
    0x3, // enabled, in movie
    u32s(0, 0, trackId, 0, trackDuration, 0, 0),
    u16s(0, 0, 0, 0),
    IDENTITY,
    u32s(0, 0),
  );
  const trak = box('trak', tkhd, ...edts, mdia);

  const moovBody = Buffer.from(mov.subarray(moov.start + moov.header, moov.start + moov.size));
  // next_track_ID lives in mvhd, inside the copied body.
  moovBody.writeUInt32BE(trackId + 1, nextTrackIdAt - moov.start - moov.header);
  const newMoov = box('moov', moovBody, trak);
  return Buffer.concat([mov.subarray(0, moov.start), mdat, newMoov, mov.subarray(moov.start + moov.size)]);
}

export interface StillImageTime {
  key: string;
  value: number;
  timeSec: number;
}

/** Finds the still-image-time track and its sample; null when the MOV has none. Never throws. */
export function readStillImageTime(mov: Buffer): StillImageTime | null {
  try {
    const moov = atoms(mov).find((a) => a.type === 'moov');
    if (!moov) return null;
    const { timescale } = movieHeader(mov, moov);
    for (const trak of atoms(mov, moov.start + moov.header, moov.start + moov.size).filter((a) => a.type === 'trak')) {
      const stbl = path(mov, trak, 'mdia', 'minf', 'stbl');
      const stsd = stbl && child(mov, stbl, 'stsd');
      if (!stbl || !stsd) continue;
      const entry = atoms(mov, stsd.start + stsd.header + 8, stsd.start + stsd.size)[0];
      if (!entry || entry.type !== 'mebx') continue;
      const keys = atoms(mov, entry.start + 16, entry.start + entry.size).find((a) => a.type === 'keys');
      if (!keys) continue;
      for (const k of atoms(mov, keys.start + keys.header, keys.start + keys.size)) {
        const keyd = child(mov, k, 'keyd');
        if (!keyd) continue;
        const key = mov.toString('latin1', keyd.start + 12, keyd.start + keyd.size);
        if (key !== STILL_IMAGE_TIME_KEY) continue;
        const localId = mov.readUInt32BE(k.start + 4);
        const stco = child(mov, stbl, 'stco');
        const stsz = child(mov, stbl, 'stsz');
        if (!stco || !stsz) return null;
        const off = mov.readUInt32BE(stco.start + 16);
        const size = mov.readUInt32BE(stsz.start + 12) || mov.readUInt32BE(stsz.start + 20);
        const item = atoms(mov, off, off + size).find((a) => mov.readUInt32BE(a.start + 4) === localId);
        if (!item) return null;
        const elst = path(mov, trak, 'edts', 'elst');
        let timeSec = 0;
        if (elst && mov.readUInt32BE(elst.start + 12) >= 1 && mov.readInt32BE(elst.start + 20) === -1) {
          timeSec = mov.readUInt32BE(elst.start + 16) / timescale;
        }
        return { key, value: mov.readInt8(item.start + 8), timeSec };
      }
    }
    return null;
  } catch {
    return null;
  }
}
