// Live Photo export: a JPEG + MOV pair that iOS Photos treats as one Live Photo. Both carry the same
// asset identifier (JPEG: Apple maker note tag 17; MOV: com.apple.quicktime.content.identifier), and
// the MOV has the still-image-time metadata track saying which moment the JPEG shows.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { VideoError, isVideoError } from './errors';
import { probeMedia, runFfmpeg } from './ffmpeg';
import { withAppleContentId } from './jpeg-apple-id';
import { addStillImageTimeTrack } from './quicktime-still-time';

export const CONTENT_ID_KEY = 'com.apple.quicktime.content.identifier';

export interface LivePhotoOptions {
  /** The rendered clip (H.264 MP4); it is remuxed, not re-encoded. */
  mp4Path: string;
  /** The key photo; scaled/cropped to the clip's frame size. */
  stillPath: string;
  outDir: string;
  /** File name without extension; the pair shares it (IMG_0001.JPG + IMG_0001.MOV style). */
  baseName: string;
  /** Defaults to a fresh upper-case UUID, as iOS writes them. */
  assetId?: string;
  /** The moment of the clip the still shows (the living photo starts from the photo: 0). */
  stillTimeSec?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
  tmpRoot?: string;
}

export interface LivePhotoPair {
  jpgPath: string;
  movPath: string;
  assetId: string;
}

/** Writes <baseName>.JPG and <baseName>.MOV into outDir. Rejects with VideoError (LIVE_PHOTO_FAILED, CANCELLED, …). */
export async function makeLivePhoto(o: LivePhotoOptions): Promise<LivePhotoPair> {
  const assetId = (o.assetId ?? randomUUID()).toUpperCase();
  if (!/^[0-9A-F-]{8,64}$/.test(assetId)) throw new VideoError('BAD_INPUT', 'asset id must be a UUID');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.baseName)) throw new VideoError('BAD_INPUT', 'bad base name');
  const tmp = await mkdtemp(join(o.tmpRoot ?? tmpdir(), 'live-photo-'));
  try {
    const probe = await probeMedia(o.mp4Path);
    const video = probe.streams.find((s) => s.codecType === 'video');
    if (!video?.width || !video.height) throw new VideoError('LIVE_PHOTO_FAILED', 'clip has no video stream');
    const stillTime = Math.min(Math.max(0, o.stillTimeSec ?? 0), Math.max(0, probe.durationSec - 0.05));

    const tmpMov = join(tmp, 'pair.mov');
    await runFfmpeg({
      inputs: [{ source: o.mp4Path }],
      outputOptions: [
        '-map', '0:v:0',
        '-c', 'copy',
        '-map_metadata', '-1',
        '-metadata', `${CONTENT_ID_KEY}=${assetId}`,
        // Write metadata as QuickTime mdta keys (moov/meta/keys + ilst), the form iOS reads.
        '-movflags', 'use_metadata_tags',
        '-f', 'mov',
      ],
      output: tmpMov,
      signal: o.signal,
      timeoutMs: o.timeoutMs ?? 30_000,
    });
    let mov: Buffer;
    try {
      mov = addStillImageTimeTrack(await readFile(tmpMov), stillTime);
    } catch (e) {
      throw new VideoError('LIVE_PHOTO_FAILED', `still-image-time track: ${(e as Error).message}`);
    }

    let jpeg: Buffer;
    try {
      const base = await sharp(o.stillPath)
        .rotate()
        .resize(video.width, video.height, { fit: 'cover', position: 'centre' })
        .jpeg({ quality: 92, chromaSubsampling: '4:2:0' })
        .toBuffer();
      jpeg = withAppleContentId(base, assetId, video.width, video.height);
    } catch (e) {
      throw new VideoError('LIVE_PHOTO_FAILED', `still image: ${(e as Error).message}`);
    }
    if (o.signal?.aborted) throw new VideoError('CANCELLED', 'cancelled');
    const jpgPath = join(o.outDir, `${o.baseName}.JPG`);
    const movPath = join(o.outDir, `${o.baseName}.MOV`);
    // Written next to the target then renamed: a reader never sees half a file.
    await mkdir(o.outDir, { recursive: true });
    for (const [path, data] of [[movPath, mov], [jpgPath, jpeg]] as const) {
      const part = `${path}.${process.pid}.part`;
      await writeFile(part, data);
      await rename(part, path);
    }
    return { jpgPath, movPath, assetId };
  } catch (e) {
    if (isVideoError(e)) throw e;
    throw new VideoError('LIVE_PHOTO_FAILED', (e as Error).message);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
