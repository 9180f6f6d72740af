// The only module that talks to fluent-ffmpeg (and the only one that starts ffmpeg): everything else describes a job as plain data and
// gets back a promise that honours an AbortSignal and a time limit, and rejects with a VideoError.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import Ffmpeg from 'fluent-ffmpeg';
import { VideoError } from './errors';

export interface FfmpegInput {
  /** A file path, or a stream piped to ffmpeg's stdin (only one stream input per job). */
  source: string | Readable;
  options?: string[];
}

export interface FfmpegJob {
  inputs: FfmpegInput[];
  /** A -filter_complex graph; map its outputs with outputOptions (e.g. ['-map', '[out]']). */
  filterGraph?: string;
  outputOptions: string[];
  output: string;
  /** Length of the produced media, to turn ffmpeg's `time=` into a fraction. */
  durationSec?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** ffmpeg is killed (SIGKILL) once this elapses. */
  timeoutMs?: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

/** FFMPEG_PATH / FFPROBE_PATH win; otherwise the binaries on PATH. Throws FFMPEG_MISSING when absent. */
export function ffmpegBinaries(env: NodeJS.ProcessEnv = process.env): { ffmpeg: string; ffprobe: string } {
  const ffmpeg = env.FFMPEG_PATH && isExecutable(env.FFMPEG_PATH) ? env.FFMPEG_PATH : findOnPath('ffmpeg', env);
  if (!ffmpeg) throw new VideoError('FFMPEG_MISSING', 'ffmpeg not found (set FFMPEG_PATH or install ffmpeg)');
  let ffprobe = env.FFPROBE_PATH && isExecutable(env.FFPROBE_PATH) ? env.FFPROBE_PATH : null;
  if (!ffprobe) {
    // ffprobe normally sits next to ffmpeg (Debian package, Windows zip builds).
    const sibling = ffmpeg.replace(/ffmpeg(\.exe)?$/i, (_m, ext: string | undefined) => `ffprobe${ext ?? ''}`);
    ffprobe = sibling !== ffmpeg && isExecutable(sibling) ? sibling : findOnPath('ffprobe', env);
  }
  if (!ffprobe) throw new VideoError('FFMPEG_MISSING', 'ffprobe not found (set FFPROBE_PATH or install ffmpeg)');
  return { ffmpeg, ffprobe };
}

const TIME_RE = /time=\s*(-?\d+):(\d+):(\d+(?:\.\d+)?)/;

/** Seconds of output written so far, from one ffmpeg stderr progress line; null when the line has none. */
export function parseProgressTime(line: string): number | null {
  const m = TIME_RE.exec(line);
  if (!m) return null;
  const s = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return Number.isFinite(s) && s >= 0 ? s : null;
}

/** Runs one ffmpeg job to completion. Rejects with VideoError CANCELLED | TIMEOUT | FFMPEG_FAILED | FFMPEG_MISSING. */
export function runFfmpeg(job: FfmpegJob): Promise<void> {
  const { ffmpeg } = ffmpegBinaries();
  if (job.signal?.aborted) return Promise.reject(new VideoError('CANCELLED', 'cancelled before start'));

  return new Promise<void>((resolve, reject) => {
    const cmd = Ffmpeg().setFfmpegPath(ffmpeg);
    for (const input of job.inputs) {
      cmd.input(input.source);
      if (input.options?.length) cmd.inputOptions(input.options);
    }
    if (job.filterGraph) cmd.complexFilter(job.filterGraph);
    cmd.outputOptions(['-y', '-nostdin', ...job.outputOptions]).output(job.output);

    const tail: string[] = [];
    let settled = false;
    let lastFraction = 0;
    const finish = (error: VideoError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const killWith = (error: VideoError): void => {
      if (settled) return;
      try {
        cmd.kill('SIGKILL');
      } catch {
        // The process may already be gone; the error still stands.
      }
      // fluent-ffmpeg reports the kill as an 'error' event; settle now so the caller can clean up.
      finish(error);
    };
    const onAbort = (): void => killWith(new VideoError('CANCELLED', 'cancelled'));
    const timer = setTimeout(
      () => killWith(new VideoError('TIMEOUT', `ffmpeg exceeded ${job.timeoutMs} ms`)),
      job.timeoutMs ?? 2_147_000_000,
    );
    job.signal?.addEventListener('abort', onAbort, { once: true });

    cmd.on('stderr', (line: string) => {
      tail.push(line);
      if (tail.length > 12) tail.shift();
      if (!job.onProgress || !job.durationSec) return;
      const t = parseProgressTime(line);
      if (t === null) return;
      const fraction = Math.min(0.999, t / job.durationSec);
      if (fraction > lastFraction) {
        lastFraction = fraction;
        job.onProgress(fraction);
      }
    });
    cmd.on('error', (e: Error) => {
      finish(new VideoError('FFMPEG_FAILED', `${e.message.split('\n')[0] ?? 'ffmpeg failed'} | ${tail.slice(-4).join(' | ')}`));
    });
    cmd.on('end', () => {
      job.onProgress?.(1);
      finish(null);
    });
    cmd.run();
  });
}

export interface ProbedStream {
  codecType: string;
  codecName: string;
  width?: number;
  height?: number;
  pixFmt?: string;
  fps?: number;
  frames?: number;
  durationSec?: number;
  handlerName?: string;
  codecTag?: string;
  tags: Record<string, string>;
}

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  tags: Record<string, string>;
  streams: ProbedStream[];
}

function rate(r: string | undefined): number | undefined {
  if (!r) return undefined;
  const [n, d] = r.split('/').map(Number);
  if (!n || !d) return undefined;
  return n / d;
}

function stringTags(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags && typeof tags === 'object') for (const [k, v] of Object.entries(tags)) out[k] = String(v);
  return out;
}

/**
 * ffprobe a media file, as plain data. `countFrames` decodes the whole file for an exact frame count
 * (slow; for checks). Rejects with VideoError FFMPEG_FAILED on unreadable input.
 */
export function probeMedia(path: string, o: { countFrames?: boolean } = {}): Promise<ProbeResult> {
  const { ffprobe } = ffmpegBinaries();
  return new Promise((resolve, reject) => {
    Ffmpeg.setFfprobePath(ffprobe);
    Ffmpeg.ffprobe(path, o.countFrames ? ['-count_frames'] : [], (e, data) => {
      if (e) return reject(new VideoError('FFMPEG_FAILED', `ffprobe: ${String((e as Error).message).split('\n')[0]}`));
      resolve({
        formatName: data.format.format_name ?? '',
        durationSec: Number(data.format.duration ?? 0),
        tags: stringTags(data.format.tags),
        streams: data.streams.map((s) => {
          const tags = stringTags(s.tags);
          const frames = Number(s.nb_read_frames ?? s.nb_frames);
          return {
            codecType: s.codec_type ?? '',
            codecName: s.codec_name ?? '',
            width: s.width,
            height: s.height,
            pixFmt: s.pix_fmt,
            fps: rate(s.avg_frame_rate) ?? rate(s.r_frame_rate),
            frames: Number.isFinite(frames) ? frames : undefined,
            durationSec: s.duration !== undefined ? Number(s.duration) : undefined,
            handlerName: tags.handler_name,
            codecTag: s.codec_tag_string,
            tags,
          };
        }),
      });
    });
  });
}

/** What the renderer needs from the ffmpeg build (zoompan, overlay, unpremultiply, tile; libx264). */
export const REQUIRED_FILTERS = ['zoompan', 'overlay', 'unpremultiply', 'scale', 'format', 'select', 'tile', 'setsar', 'fps'] as const;
export const REQUIRED_ENCODERS = ['libx264'] as const;

export interface VideoToolsHealth {
  ok: boolean;
  ffmpeg: string | null;
  ffprobe: string | null;
  /** Filters/encoders this build lacks; or 'ffmpeg' / 'ffprobe' when a binary is missing. */
  missing: string[];
}

/** For the operator's health screen: are ffmpeg/ffprobe there, with the filters and encoder we use? Never throws. */
export async function videoToolsHealth(env: NodeJS.ProcessEnv = process.env): Promise<VideoToolsHealth> {
  let bins: { ffmpeg: string; ffprobe: string };
  try {
    bins = ffmpegBinaries(env);
  } catch {
    const ff = env.FFMPEG_PATH ?? findOnPath('ffmpeg', env);
    return { ok: false, ffmpeg: ff, ffprobe: null, missing: ff ? ['ffprobe'] : ['ffmpeg'] };
  }
  // `ffmpeg -filters` / `-encoders` lists, second column = name (fluent-ffmpeg's own parser skips
  // filters with dynamic pads such as select and unpremultiply).
  const names = (flag: string): Promise<Set<string> | null> =>
    new Promise((resolve) => {
      execFile(bins.ffmpeg, ['-hide_banner', flag], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (e, stdout) => {
        if (e) return resolve(null);
        const out = new Set<string>();
        for (const line of String(stdout).split('\n')) {
          const name = line.trim().split(/\s+/)[1];
          if (name) out.add(name);
        }
        resolve(out);
      });
    });
  const filters = await names('-filters');
  const encoders = await names('-encoders');
  const missing = [
    ...REQUIRED_FILTERS.filter((f) => !filters?.has(f)),
    ...REQUIRED_ENCODERS.filter((c) => !encoders?.has(c)),
  ];
  return { ok: missing.length === 0, ffmpeg: bins.ffmpeg, ffprobe: bins.ffprobe, missing };
}
