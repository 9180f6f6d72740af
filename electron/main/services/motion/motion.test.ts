// The 微动态 service with the cloud: clips come back from Jimeng image-to-video (through the shared client, against the
// protocol-faithful Jimeng simulator); when the cloud refuses, fails, is too slow or over budget,
// the local renderer still delivers. Cancel means cancel.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeMedia } from '../../../../native/video/ffmpeg';
import { readAppleContentId } from '../../../../native/video/jpeg-apple-id';
import { KioskFailure } from '../../../shared/result';
import { CostGuard, memoryCostStore } from '../generator/costGuard';
import { JimengClient } from '../generator/jimeng/client';
import { jimengConfigFromEnv } from '../generator/jimeng/config';
import { MotionConfig, motionConfigFromEnv } from './config';
import { createMotionRenderer } from './index';
import { createJimengMotionRenderer } from './jimeng';
import { startJimengSimulator, type JimengSimulator } from '../../../sim/jimeng/simulator';
import { createLocalMotionRenderer } from './local';
import type { MotionInput, MotionRenderer } from './types';
import { jobMaker, motionFixture, smallClipConfig, type MotionFixture } from '../../testing/motion';

let sim: JimengSimulator;
let client: JimengClient;

let fx: MotionFixture;
const config = smallClipConfig;
const input = jobMaker(() => fx);

beforeAll(async () => {
  fx = await motionFixture();
  sim = await startJimengSimulator({ videoLatency: { kind: 'fixed', ms: 1_200 }, videoRenderScale: 0.25 });
  const jc = jimengConfigFromEnv(
    {
      endpoint: sim.url,
      accessKey: sim.accessKey,
      secretKey: sim.secretKey,
      polling: { initialMs: 150, minMs: 50, maxMs: 300 },
      retries: { throttle: 3, server: 1, resubmit: 1, backoffMs: 20 },
      timeouts: { connectMs: 2_000, callMs: 10_000, taskMs: 20_000 },
    },
    {},
  );
  client = new JimengClient({ config: jc });
}, 60_000);

afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(fx.dir, { recursive: true, force: true });
});

beforeEach(() => sim.setFaults({}, []));

describe('Jimeng image-to-video', () => {
  const realLocal = createLocalMotionRenderer({ config: config({ provider: 'local' }) });
  // Where only the decision matters, a recording fallback saves a render per test.
  const fallbackCalls: MotionInput[] = [];
  const recording: MotionRenderer = {
    name: 'recording',
    render: async (i) => {
      fallbackCalls.push(i);
      return { mp4Path: join(i.outDir, 'fallback.mp4'), livePhoto: null, provider: 'local' };
    },
  };
  const cloud = (over: Record<string, unknown> = {}, guard?: CostGuard, fallback: MotionRenderer = recording) =>
    createJimengMotionRenderer({
      client,
      config: config(over),
      fallback,
      costGuard: guard,
      aigc: { kioskId: 'K1', contentProducer: 'tuanyuan-kiosk', contentPropagator: 'tuanyuan-kiosk' },
    });
  beforeEach(() => {
    fallbackCalls.length = 0;
  });

  it('submits a low-motion 5-s task, downloads the video at once and delivers it at 25 fps', async () => {
    const before = { ...sim.stats };
    const job = input({ effect: 'fireworks' });
    const out = await cloud().render(job);
    expect(out.provider).toBe('jimeng');
    expect(sim.stats.tasksCreated - before.tasksCreated).toBe(1);
    expect(sim.stats.downloads - before.downloads).toBe(1);
    expect(sim.stats.billedVideos - before.billedVideos).toBe(1);
    expect(sim.stats.lastSubmit).toMatchObject({ req_key: 'jimeng_i2v_first_v30', frames: 121, seed: -1, binary_data_base64: '[1]' });
    expect(String(sim.stats.lastSubmit?.prompt)).toContain('烟花');
    const p = await probeMedia(out.mp4Path, { countFrames: true });
    const v = p.streams.find((s) => s.codecType === 'video');
    expect(v?.codecName).toBe('h264');
    expect(v?.width).toBe(360);
    expect(v?.fps).toBe(25);
    expect(p.durationSec).toBeGreaterThan(4.9);
    expect(p.durationSec).toBeLessThan(5.1);
    expect(out.livePhoto && readAppleContentId(readFileSync(out.livePhoto.jpgPath))).toBe(out.livePhoto?.assetId);
    expect(job.progress.at(-1)).toBe(1);
  });

  it('resubmits once when the output video fails the audit (50516)', async () => {
    sim.setFaults({}, ['post_audit']);
    const before = sim.stats.tasksCreated;
    const out = await cloud().render(input());
    expect(out.provider).toBe('jimeng');
    expect(sim.stats.tasksCreated - before).toBe(2);
  });

  it('falls back to the local renderer when the photo is refused (50411)', async () => {
    sim.setFaults({}, ['input_audit']);
    const out = await cloud({}, undefined, realLocal).render(input());
    expect(out.provider).toBe('local');
    expect(existsSync(out.mp4Path)).toBe(true);
  });

  it('falls back when the video URL is already dead, and still counts the billed video', async () => {
    sim.setFaults({}, ['url_expired']);
    const guard = new CostGuard({ priceFenPerImage: 140, dailyBudgetFen: 0, maxCallsPerOrder: 4, regenerationsPerOrder: 0 }, memoryCostStore());
    const job = input();
    const out = await cloud({}, guard).render(job);
    expect(out.provider).toBe('local');
    expect(fallbackCalls).toEqual([job]);
    expect(guard.today().images).toBe(1);
  });

  it('falls back without calling the service when the day budget is spent', async () => {
    const guard = new CostGuard({ priceFenPerImage: 140, dailyBudgetFen: 100, maxCallsPerOrder: 4, regenerationsPerOrder: 0 }, memoryCostStore());
    const before = sim.stats.submits;
    const out = await cloud({}, guard).render(input());
    expect(out.provider).toBe('local');
    expect(fallbackCalls).toHaveLength(1);
    expect(sim.stats.submits).toBe(before);
  });

  it('falls back when the task outlives the time budget', async () => {
    sim.setFaults({}, ['hang']);
    const started = Date.now();
    const out = await cloud({ jimeng: { budgetMs: 1_500 } }).render(input());
    expect(out.provider).toBe('local');
    expect(fallbackCalls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('without a fallback, reports a refused photo as MOTION_REFUSED (not retryable)', async () => {
    sim.setFaults({}, ['input_audit']);
    const r = createJimengMotionRenderer({ client, config: config({ jimeng: { fallbackToLocal: false } }), fallback: null });
    const e = await r.render(input()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KioskFailure);
    expect(e).toMatchObject({ code: 'MOTION_REFUSED', retryable: false });
  });

  it('a cancel is never turned into a fallback render', async () => {
    sim.setFaults({}, ['hang']);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expect(cloud().render(input({ signal: ac.signal }))).rejects.toMatchObject({ code: 'MOTION_CANCELLED' });
    expect(fallbackCalls).toEqual([]);
  });
});

describe('configuration', () => {
  it('reads the motion section, the provider and the environment', () => {
    const c = motionConfigFromEnv({ effect: 'snow', jimeng: { dailyBudgetFen: 0 } }, { MOTION_LIVE_PHOTO: '0', MOTION_JIMENG_REQ_KEY: 'jimeng_ti2v_v30_pro' }, 'jimeng');
    expect(c.provider).toBe('jimeng');
    expect(c.effect).toBe('snow');
    expect(c.livePhoto).toBe(false);
    expect(c.jimeng.reqKey).toBe('jimeng_ti2v_v30_pro');
    expect(c.jimeng.dailyBudgetFen).toBe(0);
    expect(c.local.width).toBe(1080);
    expect(motionConfigFromEnv(undefined, { KIOSK_MOTION: 'local' }).provider).toBe('local');
    expect(() => motionConfigFromEnv({ jimeng: { reqKey: 'jimeng_t2i_v40' } }, {})).toThrow();
  });

  it('chooses Jimeng only with credentials, else the local renderer', async () => {
    const noKeys = createMotionRenderer(config(), { env: {}, jimengSection: {} });
    expect(noKeys.name).toBe('local');
    const withKeys = createMotionRenderer(config(), { env: {}, jimengSection: { endpoint: sim.url, accessKey: sim.accessKey, secretKey: sim.secretKey } });
    expect(withKeys.name).toBe('jimeng');
    await withKeys.close();
    expect(createMotionRenderer(MotionConfig.parse({}), {}).name).toBe('local');
  });
});
