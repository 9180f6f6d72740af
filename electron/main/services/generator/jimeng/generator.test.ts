import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaceBox, Product, Style } from '../../../../shared/contract';
import { KioskFailure } from '../../../../shared/result';
import { CostGuard, memoryCostStore } from '../costGuard';
import { createQualityGate } from '../qualityGate';
import { runVariants } from '../variants';
import { JimengConfig } from './config';
import { composePhotos, JimengGenerator } from './generator';
import { loadPromptLibrary } from './prompts';
import { startJimengSimulator, type JimengSimulator } from '../../../../sim/jimeng/simulator';
import { ASTRONAUT } from '../../../../../fixtures/paths';

const root = join(__dirname, '../../../../..');
const prompts = loadPromptLibrary(join(root, 'assets'));
let sim: JimengSimulator;
let astronaut: Buffer;
const face: FaceBox = { x: 180, y: 80, w: 110, h: 130, score: 0.95 };

const style: Style = {
  id: 'gugong',
  name: { zh: '故宫', en: 'Forbidden City' },
  enabled: true,
  products: ['puzzle', 'makeover'],
  outfits: [{ id: 'qipao', name: { zh: '旗袍', en: 'Qipao' } }],
  palette: ['#a00', '#fc0'],
};
const product = (id: 'puzzle' | 'makeover'): Product => ({
  id,
  name: { zh: id, en: id },
  description: { zh: '', en: '' },
  enabled: true,
  minPhotos: 1,
  maxPhotos: id === 'puzzle' ? 6 : 1,
});

const config = (over: Record<string, unknown> = {}) =>
  JimengConfig.parse({
    endpoint: sim.url,
    accessKey: sim.accessKey,
    secretKey: sim.secretKey,
    polling: { initialMs: 20, minMs: 10, maxMs: 40 },
    retries: { throttle: 3, server: 1, resubmit: 1, backoffMs: 5 },
    ...over,
  });

const input = (id: 'puzzle' | 'makeover', photos = 1) => ({
  orderId: `o-${id}`,
  product: product(id),
  style,
  outfitId: 'qipao',
  seed: 100,
  photos: Array.from({ length: photos }, () => ({ jpeg: astronaut, faces: [face], width: 512, height: 512 })),
});

/**
 * Test stand-in for the on-device detector: the simulator's "broken face" output smears the
 * people, which shows as a loss of sharpness; an intact render keeps the family's faces.
 */
const sharpnessDetector = (faces: number) => async (img: Buffer): Promise<FaceBox[]> => {
  const { sharpness } = await sharp(img).stats();
  return sharpness >= 3 ? Array.from({ length: faces }, () => ({ ...face })) : [];
};

beforeAll(async () => {
  sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 60 }, renderScale: 0.3 });
  astronaut = await sharp(readFileSync(ASTRONAUT)).jpeg().toBuffer();
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => sim.setFaults({}, []));

describe('JimengGenerator with the simulator', () => {
  it('makes four makeover variants in parallel, each a real picture with its own seed', async () => {
    const gen = new JimengGenerator({ config: config(), prompts, kioskId: 'k1' });
    const got: { index: number; seed: number }[] = [];
    const before = sim.stats.tasksCreated;
    const res = await runVariants({
      generator: gen,
      input: input('makeover'),
      count: 4,
      signal: new AbortController().signal,
      onVariant: (v) => {
        got.push({ index: v.index, seed: v.seed });
      },
    });
    expect(res.delivered.sort()).toEqual([0, 1, 2, 3]);
    expect(got.map((g) => g.seed).sort()).toEqual([100, 101, 102, 103]);
    expect(sim.stats.tasksCreated - before).toBe(4);
    expect(sim.stats.peakConcurrentTasks).toBeGreaterThanOrEqual(2);
    await gen.close();
  });

  it('composes several photos into one for jimeng_i2i_v30 when no object storage is configured', async () => {
    const composed = await composePhotos([astronaut, astronaut, astronaut, astronaut, astronaut]);
    const meta = await sharp(composed).metadata();
    expect([meta.width, meta.height]).toEqual([1800, 1600]);
    const gen = new JimengGenerator({ config: config(), prompts });
    const images: Buffer[] = [];
    const failures = await gen.generate({ ...input('puzzle', 3), indices: [0], signal: new AbortController().signal }, (v) => images.push(v.image));
    expect(failures).toEqual([]);
    expect(images).toHaveLength(1);
    await gen.close();
  });

  describe('时空拼图 through object storage', () => {
    let files: Server;
    let base = '';
    const stored = new Map<string, Buffer>();
    beforeAll(async () => {
      files = createServer((req, res) => {
        const b = stored.get(req.url ?? '');
        res.writeHead(b ? 200 : 404).end(b);
      });
      await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
      base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      files.closeAllConnections();
      await new Promise<void>((r) => files.close(() => r()));
    });

    it('sends the photos to jimeng_t2i_v40 as signed URLs, uploading each photo once for all four variants', async () => {
      let uploads = 0;
      const signedUrlFor = async (jpeg: Buffer) => {
        const path = `/private/${++uploads}.jpg?sig=x`;
        stored.set(path, jpeg);
        return `${base}${path}`;
      };
      const gen = new JimengGenerator({ config: config(), prompts, signedUrlFor });
      const res = await runVariants({ generator: gen, input: input('puzzle', 2), count: 4, signal: new AbortController().signal, onVariant: () => {} });
      expect(res.delivered).toHaveLength(4);
      expect(uploads).toBe(2);
      await gen.close();
    });
  });

  it('falls back to the composed image when object storage fails', async () => {
    const before = sim.stats.tasksCreated;
    const gen = new JimengGenerator({
      config: config(),
      prompts,
      signedUrlFor: async () => {
        throw new Error('OSS unreachable');
      },
    });
    const res = await runVariants({ generator: gen, input: input('puzzle', 2), count: 2, signal: new AbortController().signal, onVariant: () => {} });
    expect(res.delivered).toHaveLength(2);
    expect(sim.stats.tasksCreated - before).toBe(2);
    await gen.close();
  });

  it('drops a broken face through the quality gate and fills the slot with a supplementary request', async () => {
    sim.setFaults({}, ['broken_face']);
    const gen = new JimengGenerator({ config: config(), prompts });
    const rejected: number[] = [];
    const res = await runVariants({
      generator: gen,
      input: input('makeover'),
      count: 4,
      signal: new AbortController().signal,
      gate: createQualityGate(sharpnessDetector(1)),
      onVariant: () => {},
      onRejected: (i) => rejected.push(i),
    });
    expect(rejected).toHaveLength(1);
    expect(res).toMatchObject({ rejected: 1, retries: 1, requests: 5, failures: [] });
    expect(res.delivered).toHaveLength(4);
    await gen.close();
  });

  it('stops the whole order with a kind message on an input audit failure, with nothing billed', async () => {
    sim.setFaults({}, ['input_audit', 'input_audit', 'input_audit', 'input_audit']);
    const guard = new CostGuard({ priceFenPerImage: 20, dailyBudgetFen: 10_000, maxCallsPerOrder: 16, regenerationsPerOrder: 1 });
    const gen = new JimengGenerator({ config: config(), prompts, costGuard: guard });
    const err = await runVariants({ generator: gen, input: input('makeover'), count: 4, signal: new AbortController().signal, onVariant: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KioskFailure);
    expect(err).toMatchObject({ code: 'AI_INPUT_REJECTED', message: expect.stringContaining('不收费') });
    expect(guard.usage('o-makeover')).toMatchObject({ calls: 0, images: 0 });
    await gen.close();
  });

  it('called for all four slots at once, an audit stop ends the other slots too', async () => {
    sim.setFaults({}, ['input_audit', 'slow', 'slow', 'slow']);
    const gen = new JimengGenerator({ config: config(), prompts });
    const shown: number[] = [];
    await expect(gen.generate({ ...input('makeover'), indices: [0, 1, 2, 3], signal: new AbortController().signal }, (v) => shown.push(v.index))).rejects.toMatchObject({
      code: 'AI_INPUT_REJECTED',
    });
    expect(shown).toEqual([]); // the three slow slots were not waited for, so nothing of this order is shown
    await gen.close();
  });

  it('says the day’s budget is used up instead of calling the service', async () => {
    const guard = new CostGuard({ priceFenPerImage: 20, dailyBudgetFen: 40, maxCallsPerOrder: 16, regenerationsPerOrder: 1 }, memoryCostStore());
    const gen = new JimengGenerator({ config: config(), prompts, costGuard: guard });
    const first = await runVariants({ generator: gen, input: input('makeover'), count: 2, signal: new AbortController().signal, onVariant: () => {} });
    expect(first.delivered).toHaveLength(2);
    expect(guard.today()).toMatchObject({ images: 2, spentFen: 40 });
    const submits = sim.stats.submits;
    await expect(
      runVariants({ generator: gen, input: { ...input('makeover'), orderId: 'o2' }, count: 4, signal: new AbortController().signal, onVariant: () => {} }),
    ).rejects.toMatchObject({ code: 'AI_DAILY_BUDGET' });
    expect(sim.stats.submits).toBe(submits);
    await gen.close();
  });

  it('turns bad credentials into a whole-request stop for the operator, not four silent failures', async () => {
    const gen = new JimengGenerator({ config: config({ secretKey: 'nope' }), prompts });
    await expect(
      runVariants({ generator: gen, input: input('makeover'), count: 4, signal: new AbortController().signal, onVariant: () => {} }),
    ).rejects.toMatchObject({ code: 'AI_UNAVAILABLE', retryable: true });
    await gen.close();
  });

  it('reports a slot that keeps failing after its retries as a failure with a Chinese message', async () => {
    sim.setFaults({}, ['post_audit', 'post_audit', 'post_audit', 'post_audit']);
    const gen = new JimengGenerator({ config: config(), prompts });
    const failures = await gen.generate({ ...input('makeover'), indices: [2], signal: new AbortController().signal }, () => {});
    expect(failures).toEqual([{ index: 2, code: 'JIMENG_50511', message: '这张照片未通过内容审核，未能生成', retryable: true }]);
    await gen.close();
  });
});
