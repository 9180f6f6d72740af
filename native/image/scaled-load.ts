// Decoding a big JPEG straight at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT scaling).
//
// Why a file: sharp 0.34 picks libjpeg's scale itself and never uses it for a whole-number
// factor ("known libjpeg rounding errors": a 4000-px photo asked for at 2000 px is decoded at full
// size and then reduced, ~90 ms instead of ~50 ms; asked for at 1000 px it decodes at 1/2 instead
// of 1/4). libvips' file loader takes load options in the file name ("photo.jpg[shrink=2]"), which
// sharp passes through unchanged, so the photo is written to a private scratch file and loaded
// from there. Only what the decoder needs is written: EXIF, XMP, IPTC, comments and anything after
// the image (multi-picture extras) are dropped, so GPS and camera serials never touch the disk, and
// the EXIF orientation is written back alone. The file lives for one decode; leftovers of a
// terminated decode are swept when a checker starts and every minute while it runs.
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type JpegShrink = 1 | 2 | 4 | 8;

/** The largest libjpeg scale (1/2ⁿ, n ≤ 3) that still leaves the long side ≥ `minLong`. */
export function jpegShrinkFor(long: number, minLong: number): JpegShrink {
  let shrink: JpegShrink = 1;
  while (shrink < 8 && Math.ceil(long / (shrink * 2)) >= minLong) shrink = (shrink * 2) as JpegShrink;
  return shrink;
}

const EOI = Buffer.from([0xff, 0xd9]);

/** APPn segments the decoder needs: JFIF (APP0), ICC profile (APP2), Adobe colour transform (APP14). */
const KEEP_APP = new Set([0xe0, 0xe2, 0xee]);

/**
 * The same JPEG without its metadata segments and without whatever follows its end marker (a
 * phone's multi-picture extras: previews, depth and gain maps, each with its own metadata), with
 * only the EXIF orientation (when not 1) written back so that libvips rotates it as before. Null
 * when the marker structure before the image data is not what it should be (the caller then
 * decodes the original bytes from memory instead).
 */
export function jpegForDecoding(buf: Uint8Array, orientation: number): Uint8Array | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  const parts: Uint8Array[] = [buf.subarray(0, 2)];
  if (orientation >= 2 && orientation <= 8) parts.push(orientationExif(orientation));
  let p = 2;
  for (;;) {
    if (p + 4 > buf.length || buf[p] !== 0xff) return null;
    let m = buf[p + 1]!;
    while (m === 0xff && p + 2 < buf.length) m = buf[++p + 1]!; // fill bytes
    if (m === 0xda) break; // start of scan: the rest is image data, copied as it is
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      parts.push(buf.subarray(p, p + 2));
      p += 2;
      continue;
    }
    const len = (buf[p + 2]! << 8) | buf[p + 3]!;
    if (len < 2 || p + 2 + len > buf.length) return null;
    const isApp = m >= 0xe0 && m <= 0xef;
    if (!(m === 0xfe || (isApp && !KEEP_APP.has(m)))) parts.push(buf.subarray(p, p + 2 + len));
    p += 2 + len;
  }
  // Inside the scans every 0xFF is followed by 0x00 or a restart marker, so the first FF D9 is the end.
  const end = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).indexOf(EOI, p);
  parts.push(buf.subarray(p, end < 0 ? buf.length : end + 2));
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** An APP1 EXIF block holding one tag, Orientation (0x0112), big-endian TIFF. */
function orientationExif(orientation: number): Uint8Array {
  // prettier-ignore
  return Uint8Array.from([
    0xff, 0xe1, 0x00, 0x22, // APP1, length 34
    0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // Orientation, SHORT, 1, value
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
}

/**
 * Private directory for the scratch files. On Linux /dev/shm (memory: nothing reaches a disk, and a
 * power cut leaves nothing behind); elsewhere the system temp directory.
 */
export function defaultScratchDir(): string {
  const base = process.platform === 'linux' && isDir('/dev/shm') ? '/dev/shm' : tmpdir();
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'u';
  return join(base, `tuanyuan-checks-${user}`);
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

const PREFIX = 'decode-';
/** A scratch file older than this is a leftover of a checker that died mid-decode. */
const LEFTOVER_MS = 60_000;

export class ScratchFiles {
  private ready = false;
  private lastSweep = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly dir: string = defaultScratchDir()) {}

  /**
   * libvips reads "[…]" at the end of a file name as load options, so a directory whose path has
   * brackets cannot be used: the caller decodes from memory instead.
   */
  get usable(): boolean {
    return !/[[\]]/.test(this.dir);
  }

  /** Creates the directory (owner only) and removes leftovers of earlier runs. Never throws. */
  prepare(): boolean {
    if (this.ready) return true;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // The name is predictable in a shared directory: use it only if it is a real directory of
      // this user (not a link someone else planted), and close it to everyone else.
      const st = lstatSync(this.dir);
      if (!st.isDirectory()) throw new Error('not a directory');
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error('owned by another user');
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) chmodSync(this.dir, 0o700);
      this.sweep();
      this.ready = true;
      // Also when no photo comes for hours: a leftover must not outlive the retention promise.
      this.timer = setInterval(() => {
        try {
          this.sweep();
        } catch {
          // directory gone: the next write reports it
        }
      }, LEFTOVER_MS);
      this.timer.unref();
    } catch {
      this.ready = false;
    }
    return this.ready;
  }

  /** Stops the periodic sweep (the checker is closing). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Removes scratch files older than a minute: a checker that was terminated mid-decode (a request
   * past its time limit) never ran its `finally`. Younger files may belong to a running checker.
   */
  sweep(now = Date.now()): void {
    this.lastSweep = now;
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(PREFIX)) continue;
      const file = join(this.dir, name);
      try {
        if (now - statSync(file).mtimeMs > LEFTOVER_MS) unlinkSync(file);
      } catch {
        // another checker removed it first
      }
    }
  }

  /**
   * Writes the bytes to a fresh owner-only file, runs `use` on its path, and always removes it.
   * It also sweeps leftovers when the last sweep is over a minute old (besides the timer).
   */
  async with<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
    if (Date.now() - this.lastSweep > LEFTOVER_MS) {
      try {
        this.sweep();
      } catch {
        // the write below reports a missing directory
      }
    }
    const path = join(this.dir, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.jpg`);
    try {
      await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
      return await use(path);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }
}

/**
 * The scratch files plus a switch: off when unusable here, or once the file path failed where
 * memory worked. Decodes of the same bytes running at once (a check decodes a photo twice in
 * parallel: upload size and detection size) share one scratch file.
 */
export class ScaledLoads {
  private off: string | null;
  private readonly open = new Map<Uint8Array, { path: Promise<string>; users: number; done: () => void; removed: Promise<unknown> }>();

  constructor(readonly files: ScratchFiles = new ScratchFiles()) {
    this.off = !files.usable ? `scratch directory ${files.dir} has brackets in its path` : files.prepare() ? null : `scratch directory ${files.dir} cannot be created`;
  }

  get enabled(): boolean {
    return this.off === null;
  }

  /** Why scaled loads are off (for the log), or null. */
  get disabledBecause(): string | null {
    return this.off;
  }

  disable(reason: string): void {
    this.off ??= reason;
  }

  close(): void {
    this.files.close();
  }

  /**
   * Runs `use` with the path of a scratch copy of `original` (metadata stripped, see
   * jpegForDecoding); the file is removed when the last user of the same bytes is done. Null when
   * the JPEG's structure is not what the stripping expects.
   */
  async withFile<T>(original: Uint8Array, orientation: number, use: (path: string) => Promise<T>): Promise<T | null> {
    let entry = this.open.get(original);
    if (!entry) {
      const bytes = jpegForDecoding(original, orientation);
      if (!bytes) return null;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      let ready!: (path: string) => void;
      let failed!: (e: unknown) => void;
      const path = new Promise<string>((resolve, reject) => ((ready = resolve), (failed = reject)));
      path.catch(() => undefined);
      // The file exists from the write until the last user is done; the entry is gone with it.
      const removed = this.files
        .with(bytes, (p) => {
          ready(p);
          return finished;
        })
        .catch(failed);
      const created = { path, users: 0, done, removed };
      void removed.finally(() => this.forget(original, created));
      entry = created;
      this.open.set(original, entry);
    }
    entry.users++;
    try {
      return await use(await entry.path);
    } finally {
      if (--entry.users === 0) {
        this.forget(original, entry);
        entry.done();
        await entry.removed; // the last user returns only once the file is gone
      }
    }
  }

  private forget(original: Uint8Array, entry: unknown): void {
    if (this.open.get(original) === entry) this.open.delete(original);
  }
}
