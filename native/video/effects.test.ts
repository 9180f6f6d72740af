// Effects are data: the four shipped effects load and animate; a broken file says what is wrong.
import { describe, expect, it } from 'vitest';
import { getEffect, loadEffects, parseEffect } from './effects';
import { parseProgressTime, videoToolsHealth } from './ffmpeg';
import { prepareParticleLayer } from './particles';
import sharp from 'sharp';
import { bodyShapes, outputFrame, peopleAnchor, peopleCutoutPng } from './people';

describe('effects as data', () => {
  it('ships fireworks, lanterns, snow and 福, each animating', async () => {
    const effects = loadEffects();
    expect([...effects.keys()].sort()).toEqual(['fireworks', 'fu', 'lanterns', 'snow']);
    for (const effect of effects.values()) {
      const layer = await prepareParticleLayer(effect, { width: 270, height: 360, outputWidth: 540, fps: 25, frames: 125 });
      const a = new Uint8Array(270 * 360 * 4);
      const b = new Uint8Array(270 * 360 * 4);
      layer.renderFrame(30, a);
      layer.renderFrame(90, b);
      const lit = (f: Uint8Array): number => f.filter((_, i) => i % 4 === 3 && f[i] !== 0).length;
      expect(lit(a), effect.id).toBeGreaterThan(200);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b)), effect.id).not.toBe(0);
      // Same effect, same frame → same pixels (clips are reproducible).
      const again = new Uint8Array(270 * 360 * 4);
      layer.renderFrame(30, again);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(again)), effect.id).toBe(0);
    }
  });

  it('rejects a malformed effect naming the field', () => {
    expect(() => parseEffect({ id: 'x', name: { zh: 'x', en: 'x' }, layers: [{ kind: 'fall', shape: 'dot', colors: ['red'] }] })).toThrow(
      /layers\.0\.colors\.0/,
    );
    expect(() => getEffect('confetti')).toThrow(/unknown effect/);
  });
});

describe('geometry', () => {
  it('sizes the clip from the photo, between 16:9 and 9:16', () => {
    expect(outputFrame({ width: 1200, height: 1600 }, 1080)).toEqual({ width: 1080, height: 1440 });
    expect(outputFrame({ width: 4000, height: 1000 }, 1080)).toEqual({ width: 1080, height: 608 });
    expect(outputFrame({ width: 1000, height: 5000 }, 1080)).toEqual({ width: 1080, height: 1920 });
  });

  it('widens a face into a body that covers it and reaches the bottom edge', () => {
    const face = { x: 400, y: 300, w: 100, h: 120 };
    const { head, torso } = bodyShapes(face, { width: 1080, height: 1440 });
    expect(head.cx - head.rx).toBeLessThan(face.x);
    expect(head.cx + head.rx).toBeGreaterThan(face.x + face.w);
    expect(head.cy - head.ry).toBeLessThan(face.y);
    expect(torso.w).toBeGreaterThan(2.5 * face.w);
    expect(torso.y + torso.h).toBeGreaterThanOrEqual(1440);
  });

  it('cuts the people out opaque at the faces, cropped to the bodies, aligned with the photo', async () => {
    const frame = { width: 400, height: 600 };
    const rgb = Buffer.alloc(400 * 600 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7) % 251; // a pattern that shows any shift
    const face = { x: 150, y: 200, w: 60, h: 70 };
    const cut = await peopleCutoutPng(rgb, frame, [face]);
    expect(cut.left).toBeGreaterThan(0);
    expect(cut.top).toBeGreaterThan(0);
    expect(cut.top + cut.height).toBe(600);
    const { data, info } = await sharp(cut.png).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    for (const [x, y] of [[160, 210], [180, 235], [205, 265]] as const) {
      const i = ((y - cut.top) * info.width + (x - cut.left)) * 4;
      const j = (y * 400 + x) * 3;
      expect([data[i], data[i + 1], data[i + 2], data[i + 3]]).toEqual([rgb[j], rgb[j + 1], rgb[j + 2], 255]);
    }
  });

  it('anchors the camera move on the larger faces', () => {
    const a = peopleAnchor([{ x: 0, y: 0, w: 100, h: 100 }, { x: 900, y: 0, w: 10, h: 10 }], { width: 1080, height: 1440 });
    expect(a.x).toBeLessThan(100);
    expect(peopleAnchor([], { width: 1080, height: 1440 })).toEqual({ x: 540, y: 720 });
  });
});

describe('ffmpeg progress', () => {
  it('reads the time of a progress line', () => {
    expect(parseProgressTime('frame=   50 fps= 20 q=28.0 size=     256kB time=00:00:02.04 bitrate=1024kbits/s')).toBeCloseTo(2.04);
    expect(parseProgressTime('Stream mapping:')).toBeNull();
  });
});

describe('video tools health', () => {
  it('finds this machine’s ffmpeg with every filter and encoder the renderer uses', async () => {
    const h = await videoToolsHealth();
    expect(h.missing).toEqual([]);
    expect(h.ok).toBe(true);
  });

  it('says what is missing instead of throwing', async () => {
    expect(await videoToolsHealth({ PATH: '/nonexistent' })).toEqual({ ok: false, ffmpeg: null, ffprobe: null, missing: ['ffmpeg'] });
  });
});
