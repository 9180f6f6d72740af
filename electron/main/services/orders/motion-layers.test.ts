// The local generator's motion layers through the order flow: every variant's scene-without-people
// and still mask are kept beside its result, private; the living photo of a paid order gets the
// picked variant's layers (so its scene moves behind still people); retention deletes the layers
// with the result.
import { existsSync, readFileSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, pickAfterPayment, solidJpeg, until, type Harness } from '../../testing/orders';
import type { Generator } from '../generator/types';
import type { MotionInput } from '../motion/types';
import { MOTION_LAYER_KIND, motionLayerPaths } from '../motion/layers';
import { runRetention } from '../retention';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Like the fake generator, plus each variant's layers; the mask says which variant it belongs to. */
function layeredGenerator(): Generator {
  return {
    name: 'local',
    async generate(input, onVariant) {
      for (const index of input.indices) {
        const image = await solidJpeg(index + 1, 600, 400);
        const layers = async () => ({
          stillMask: await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 10 + index, g: 10 + index, b: 10 + index } } }).toColourspace('b-w').png().toBuffer(),
          scene: await solidJpeg(50 + index, 600, 400),
        });
        onVariant({ index, seed: input.seed + index, image, layers });
      }
      return [];
    },
  };
}

function recordingMotion(seen: MotionInput[]) {
  return {
    name: 'fake-motion',
    async render(input: MotionInput) {
      seen.push(input);
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(input.outDir, { recursive: true });
      writeFileSync(`${input.outDir}/living.mp4`, 'mp4');
      return { mp4Path: `${input.outDir}/living.mp4`, livePhoto: null };
    },
  };
}

async function tried(h: Harness): Promise<string> {
  const s = h.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'makeover', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => s.deps.repo.order(o.id)?.state === 'generated', 'the try');
  return o.id;
}

const pay = (h: Harness, orderId: string) => {
  const { token } = h.db.prepare("SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ? AND p.state = 'open'").get(orderId) as { token: string };
  expect(h.sim.confirm(token)).toBe('SUCCESS');
};

describe('motion layers through the order', () => {
  it('keeps every variant’s layers private beside it and gives the living photo the picked one’s', async () => {
    const seen: MotionInput[] = [];
    h = harness({ generator: layeredGenerator(), motion: recordingMotion(seen) });
    const orderId = await tried(h);
    await h.service.money.start(orderId, 'four', async () => ({ ready: true }));
    pay(h, orderId);
    await pickAfterPayment(h, orderId, 2, 'snow');
    await until(() => h!.repo.deliverable(orderId, 'motion')?.status === 'done', 'living photo');

    // The try's layers are made beside its round, after it is shown.
    await until(() => h!.repo.assetsOf(orderId).filter((a) => a.kind === MOTION_LAYER_KIND).length === 8, 'the layers of all four');
    const results = h.repo.assetsOf(orderId).filter((a) => a.kind === 'result');
    expect(results).toHaveLength(4);
    for (const r of results) {
      const p = motionLayerPaths(r.path);
      for (const f of [p.stillMask, p.scene]) expect(statSync(f).mode & 0o777).toBe(0o600);
    }

    expect(seen).toHaveLength(1);
    const layers = seen[0]!.layers!;
    expect(layers).toBeDefined();
    // The picked variant's (index 2): its mask is grey 12.
    const { data } = await sharp(readFileSync(layers.stillMask)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(12);

    // Retention deletes the layers with the result.
    h.db.prepare("UPDATE orders SET ended_at = '2000-01-01T00:00:00.000Z', updated_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(orderId);
    await runRetention({ db: h.db, repo: h.repo, share: h.service.deps.share, config: h.config, dirs: { originals: h.paths.originals, results: h.paths.results } });
    expect(existsSync(layers.stillMask)).toBe(false);
    expect(existsSync(layers.scene)).toBe(false);
  });
});
