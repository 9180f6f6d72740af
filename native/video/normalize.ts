// Brings a clip from elsewhere (the Jimeng image-to-video result: 24 fps, 720p/1080p, maybe audio)
// to the delivery format of the local renderer: 1080 px wide, 25 fps, H.264 yuv420p, +faststart,
// no audio, at most `maxSec` long. Same guarantees: progress, AbortSignal, time limit, atomic output.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { VideoError } from './errors';
import { probeMedia, runFfmpeg } from './ffmpeg';

export interface NormalizeOptions {
  inPath: string;
  outPath: string;
  width?: number; // 1080
  fps?: number; // 25
  maxSec?: number; // 5
  crf?: number;
  preset?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (fraction: number) => void;
  tmpRoot?: string;
}

export async function normalizeClip(o: NormalizeOptions): Promise<{ path: string; width: number; height: number; durationSec: number }> {
  const probe = await probeMedia(o.inPath).catch(() => {
    throw new VideoError('BAD_INPUT', 'clip not readable');
  });
  const v = probe.streams.find((s) => s.codecType === 'video');
  if (!v?.width || !v.height) throw new VideoError('BAD_INPUT', 'clip has no video');
  const width = o.width ?? 1080;
  const height = 2 * Math.round((width * v.height) / v.width / 2);
  const fps = o.fps ?? 25;
  const durationSec = Math.min(o.maxSec ?? 5, probe.durationSec || (o.maxSec ?? 5));
  const tmp = await mkdtemp(join(o.tmpRoot ?? tmpdir(), 'normalize-'));
  try {
    const tmpOut = join(tmp, 'clip.mp4');
    await runFfmpeg({
      inputs: [{ source: o.inPath }],
      outputOptions: [
        '-map', '0:v:0',
        '-vf', `scale=${width}:${height}:flags=bicubic,fps=${fps},setsar=1,format=yuv420p`,
        '-t', durationSec.toFixed(3),
        '-c:v', 'libx264',
        '-preset', o.preset ?? 'veryfast',
        '-crf', String(o.crf ?? 21),
        '-pix_fmt', 'yuv420p',
        '-movflags', '+faststart',
        '-an',
        '-f', 'mp4',
      ],
      output: tmpOut,
      durationSec,
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? 60_000,
      onProgress: o.onProgress,
    });
    mkdirSync(dirname(o.outPath), { recursive: true });
    await rename(tmpOut, o.outPath);
    return { path: o.outPath, width, height, durationSec };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
