// The local 微动态 renderer: one photo → a 5-s H.264 clip where festive particles move behind the
// people and the camera drifts in slowly, anchored on the faces, while the people layer stays still.
//
// Built for speed on a 2-core kiosk PC: the photo is decoded once and animated by zoompan, the
// particles come pre-drawn at half resolution through stdin, the people layer is a single still,
// and x264 runs once (veryfast). Nothing is rendered per frame on the JS side but the particles.
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import type { EffectSpec } from './effects';
import { VideoError } from './errors';
import { runFfmpeg } from './ffmpeg';
import { prepareParticleLayer } from './particles';
import { coverFit, mapBox, outputFrame, peopleAnchor, peopleCutoutPng, stillLayerPng, usableFaces, type Box, type Fit, type Frame } from './people';

export interface LivingPhotoOptions {
  imagePath: string;
  /** Face boxes in the photo's pixels (after EXIF orientation), e.g. from the face checks. */
  faces: readonly Box[];
  effect: EffectSpec;
  outPath: string;
  width?: number; // 1080
  fps?: number; // 25
  durationSec?: number; // 5
  /** x264 quality/speed; defaults suit a 2-core machine. */
  crf?: number; // 21
  preset?: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
  /** Particle layer resolution relative to the output (0.25..1). */
  particleScale?: number; // 0.5
  signal?: AbortSignal;
  /** Whole job limit; ffmpeg is killed when it elapses. */
  timeoutMs?: number; // 60 s
  onProgress?: (fraction: number) => void;
  /** Where the per-job temp folder goes (always removed). */
  tmpRoot?: string;
  /**
   * The picture's own layering (the local generator's): `scenePath` is the picture without its
   * people, `stillMaskPath` a one-band mask (255 = hold still), both at the photo's size, plus
   * rectangles in photo pixels that also stay still (the visible AI label). The clip then zooms
   * the scene behind the people, and the people are the photo's own pixels, identical in every
   * frame — instead of a feathered body shape guessed from the face boxes over a moving photo.
   */
  layers?: { scenePath: string; stillMaskPath: string; stillRects?: readonly Box[] };
}

export interface LivingPhotoResult {
  path: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
  /** Output-frame pixels the camera move is anchored on. */
  anchor: { x: number; y: number };
  /** Faces mapped to output-frame pixels (the regions kept steady). */
  faces: Box[];
  /** Wall time of the ffmpeg pass and of the whole job, ms. */
  timings: { prepareMs: number; encodeMs: number; totalMs: number };
}

/** zoompan works on integer crop offsets; oversampling its input makes the drift smooth. */
const OVERSAMPLE = 1.5;

export function buildFilterGraph(p: {
  frame: Frame;
  fps: number;
  frames: number;
  zoom: number;
  anchor: { x: number; y: number };
  withPeople: boolean;
  peopleAt?: { x: number; y: number };
}): string {
  const { frame, fps, frames, zoom, anchor } = p;
  const ax = (anchor.x * OVERSAMPLE).toFixed(2);
  const ay = (anchor.y * OVERSAMPLE).toFixed(2);
  const last = Math.max(1, frames - 1);
  // Eased zoom from 1 to `zoom`; x/y keep the anchor at the same output position.
  const z = `1+${(zoom - 1).toFixed(4)}*(0.5-0.5*cos(PI*on/${last}))`;
  const graph = [
    `[0:v]zoompan=z='${z}':x='${ax}*(1-1/zoom)':y='${ay}*(1-1/zoom)':d=${frames}:s=${frame.width}x${frame.height}:fps=${fps},setsar=1[bg]`,
    // Un-premultiply and convert to YUV at the layer's small size, then scale: 4× fewer pixels converted.
    `[1:v]unpremultiply=inplace=1,format=yuva420p,scale=${frame.width}:${frame.height}:flags=bilinear[pt]`,
    `[bg][pt]overlay=format=yuv420:shortest=1[bp]`,
  ];
  // The people layer is cropped to its mask's bounding box and laid at its offset: fewer pixels blended per frame.
  if (p.withPeople) graph.push(`[bp][2:v]overlay=x=${p.peopleAt?.x ?? 0}:y=${p.peopleAt?.y ?? 0}:format=yuv420:eof_action=repeat,format=yuv420p[out]`);
  else graph.push(`[bp]format=yuv420p[out]`);
  return graph.join(';');
}

/** The scene (raw RGB) and the still mask (raw one band, still rectangles filled in), fitted to the frame like the photo. */
async function readLayers(l: NonNullable<LivingPhotoOptions['layers']>, frame: Frame, fit: Fit): Promise<{ scene: Buffer; mask: Buffer }> {
  const fitTo = (path: string) => sharp(path).rotate().resize(frame.width, frame.height, { fit: 'cover', position: 'centre' });
  let scene: Buffer;
  let mask: Buffer;
  try {
    scene = await fitTo(l.scenePath).removeAlpha().toColourspace('srgb').raw().toBuffer();
    mask = await fitTo(l.stillMaskPath).extractChannel(0).toColourspace('b-w').raw().toBuffer();
  } catch {
    throw new VideoError('BAD_INPUT', 'motion layers not readable');
  }
  if (scene.length !== frame.width * frame.height * 3 || mask.length !== frame.width * frame.height) throw new VideoError('BAD_INPUT', 'motion layers have the wrong size');
  for (const r of l.stillRects ?? []) {
    const b = mapBox(r, fit);
    const x0 = Math.max(0, Math.floor(b.x));
    const x1 = Math.min(frame.width, Math.ceil(b.x + b.w));
    for (let y = Math.max(0, Math.floor(b.y)); y < Math.min(frame.height, Math.ceil(b.y + b.h)); y++) mask.fill(255, y * frame.width + x0, y * frame.width + Math.max(x0, x1));
  }
  return { scene, mask };
}

/** Renders the clip to `outPath` (written atomically). Rejects with VideoError; temp files are always removed. */
export async function renderLivingPhoto(o: LivingPhotoOptions): Promise<LivingPhotoResult> {
  const started = Date.now();
  const fps = o.fps ?? 25;
  const durationSec = o.durationSec ?? 5;
  const frames = Math.round(fps * durationSec);
  const particleScale = Math.min(1, Math.max(0.25, o.particleScale ?? 0.5));
  const timeoutMs = o.timeoutMs ?? 60_000;
  if (!(fps >= 1 && fps <= 60) || !(durationSec > 0 && durationSec <= 30)) throw new VideoError('BAD_INPUT', 'fps or duration out of range');
  if (o.signal?.aborted) throw new VideoError('CANCELLED', 'cancelled before start');

  const deadline = started + timeoutMs;
  const tmp = await mkdtemp(join(o.tmpRoot ?? tmpdir(), 'living-photo-'));
  try {
    o.onProgress?.(0);
    // Decode + EXIF-orient once; everything else works on the fitted frame.
    let meta: sharp.Metadata;
    try {
      meta = await sharp(o.imagePath).metadata();
    } catch {
      throw new VideoError('BAD_INPUT', 'photo not readable');
    }
    const swapped = (meta.orientation ?? 1) >= 5;
    const src: Frame = { width: (swapped ? meta.height : meta.width) ?? 0, height: (swapped ? meta.width : meta.height) ?? 0 };
    if (src.width < 16 || src.height < 16) throw new VideoError('BAD_INPUT', 'photo too small');
    const frame = outputFrame(src, o.width ?? 1080);
    const fit = coverFit(src, frame);
    const faces = usableFaces(o.faces.map((f) => mapBox(f, fit)), frame);
    const anchor = peopleAnchor(faces, frame);

    const fitted = sharp(o.imagePath).rotate().resize(frame.width, frame.height, { fit: 'cover', position: 'centre' }).removeAlpha();
    const rgb = await fitted.clone().raw().toBuffer();
    const layered = o.layers ? await readLayers(o.layers, frame, fit) : null;
    const basePath = join(tmp, 'base.jpg');
    // With layers, the camera moves over the scene without the people; otherwise over the photo.
    await sharp(layered?.scene ?? rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize(Math.round(frame.width * OVERSAMPLE), Math.round(frame.height * OVERSAMPLE), { kernel: 'cubic' })
      .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
      .toFile(basePath);
    const peoplePath = join(tmp, 'people.png');
    let peopleAt = { x: 0, y: 0 };
    const withPeople = layered !== null || faces.length > 0;
    if (withPeople) {
      const cut = layered ? await stillLayerPng(rgb, frame, layered.mask) : await peopleCutoutPng(rgb, frame, faces);
      await writeFile(peoplePath, cut.png);
      peopleAt = { x: cut.left, y: cut.top };
    }

    const pw = 2 * Math.round((frame.width * particleScale) / 2);
    const ph = 2 * Math.round((frame.height * particleScale) / 2);
    const layer = await prepareParticleLayer(o.effect, { width: pw, height: ph, outputWidth: frame.width, fps, frames });
    if (o.signal?.aborted) throw new VideoError('CANCELLED', 'cancelled');
    const prepareMs = Date.now() - started;
    o.onProgress?.(0.1);

    const tmpOut = join(tmp, 'clip.mp4');
    const encodeStart = Date.now();
    await runFfmpeg({
      inputs: [
        { source: basePath },
        { source: layer.stream(o.signal), options: ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${pw}x${ph}`, '-framerate', String(fps)] },
        ...(withPeople ? [{ source: peoplePath }] : []),
      ],
      filterGraph: buildFilterGraph({ frame, fps, frames, zoom: o.effect.camera.zoom, anchor, withPeople, peopleAt }),
      outputOptions: [
        '-map', '[out]',
        '-frames:v', String(frames),
        '-r', String(fps),
        '-c:v', 'libx264',
        '-preset', o.preset ?? 'veryfast',
        '-crf', String(o.crf ?? 21),
        '-pix_fmt', 'yuv420p',
        '-profile:v', 'high',
        '-movflags', '+faststart',
        '-an',
        '-f', 'mp4',
      ],
      output: tmpOut,
      durationSec,
      signal: o.signal,
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      onProgress: (f) => o.onProgress?.(0.1 + 0.9 * f),
    });
    const encodeMs = Date.now() - encodeStart;
    if ((await stat(tmpOut)).size === 0) throw new VideoError('FFMPEG_FAILED', 'empty output');
    mkdirSync(dirname(o.outPath), { recursive: true });
    await rename(tmpOut, o.outPath).catch(async () => {
      // Different filesystem (tmpRoot elsewhere): copy through a sibling temp name, then rename.
      const { copyFile } = await import('node:fs/promises');
      const sibling = `${o.outPath}.${process.pid}.part`;
      await copyFile(tmpOut, sibling);
      await rename(sibling, o.outPath);
    });
    return {
      path: o.outPath,
      width: frame.width,
      height: frame.height,
      fps,
      frames,
      durationSec,
      anchor,
      faces,
      timings: { prepareMs, encodeMs, totalMs: Date.now() - started },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
