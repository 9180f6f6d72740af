// A contact sheet of a clip (frames spread evenly over its length), for reviews and test reports.
import { probeMedia, runFfmpeg } from './ffmpeg';

export async function writeFrameGrid(
  clipPath: string,
  pngPath: string,
  o: { cols?: number; rows?: number; tileWidth?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const cols = o.cols ?? 3;
  const rows = o.rows ?? 2;
  const probe = await probeMedia(clipPath);
  const frames = probe.streams.find((s) => s.codecType === 'video')?.frames ?? 125;
  const step = Math.max(1, Math.floor(frames / (cols * rows)));
  await runFfmpeg({
    inputs: [{ source: clipPath }],
    outputOptions: [
      '-vf', `select='not(mod(n\\,${step}))',scale=${o.tileWidth ?? 360}:-2,tile=${cols}x${rows}:padding=4:color=white`,
      '-frames:v', '1',
    ],
    output: pngPath,
    signal: o.signal,
    timeoutMs: 30_000,
  });
  return pngPath;
}
