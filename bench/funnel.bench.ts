// `npm run bench:funnel -- --visitors 1000 --conversion 0.3`: simulated visitors through the order
// flow (the real OrderService: consent → photo → the free try → package → simulated payment →
// the paid variants → pick → delivery; no browser), once with the Jimeng simulator as the AI (billed
// images counted by the kiosk's own CostGuard) and once with the local generator (nothing billed;
// images counted). The baseline is today's behaviour before issue 15: four variants for every
// visitor before anyone pays, measured in the same run through the same generator and CostGuard.
//
// Of the buyers, --premium-share take 尊享 ¥29.9 (the rest 电子版 ¥9.9); of the others,
// --free-takeaway take the free watermarked picture (no extra AI cost), the rest walk away.
// Costs: --image-fen per billed image (default: the Jimeng section's cost.priceFenPerImage, 20),
// --enhanced-image-fen for 尊享's pictures (default: the same), --video-sec-fen per second of video
// (5 s per 微动态; default 10, an assumption: set your contract's price). Gross margin here is
// (price − AI cost per paid order of that package, including its share of the free tries) / price.
// Env: BENCH_CONCURRENCY (visitors in flight, default 12), BENCH_SKIP_LOCAL=1.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { FaceBox, Package } from '../electron/shared/contract';
import { setLogFile } from '../electron/main/infra/log';
import { CostGuard, memoryCostStore } from '../electron/main/services/generator/costGuard';
import { JimengConfig } from '../electron/main/services/generator/jimeng/config';
import { JimengGenerator } from '../electron/main/services/generator/jimeng/generator';
import { loadPromptLibrary } from '../electron/main/services/generator/jimeng/prompts';
import { createLocalGenerator } from '../electron/main/services/generator/local';
import { runVariants } from '../electron/main/services/generator/variants';
import type { Generator } from '../electron/main/services/generator/types';
import { harness, testCatalog, until, type Harness } from '../electron/main/testing/orders';
import { startJimengSimulator } from '../electron/sim/jimeng/simulator';
import { ASTRONAUT } from '../fixtures/paths';

setLogFile(null, { quiet: process.env.KIOSK_LOG_QUIET !== '0' });
const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '1000' },
    conversion: { type: 'string', default: '0.3' },
    'premium-share': { type: 'string', default: '0.33' },
    'free-takeaway': { type: 'string', default: '0.5' },
    'image-fen': { type: 'string' },
    'enhanced-image-fen': { type: 'string' },
    'video-sec-fen': { type: 'string', default: '10' },
    seed: { type: 'string', default: '7' },
  },
  allowPositionals: true,
});
const VISITORS = Number(args.visitors);
const CONVERSION = Number(args.conversion);
const PREMIUM_SHARE = Number(args['premium-share']);
const FREE_TAKEAWAY = Number(args['free-takeaway']);
const jimengCost = JimengConfig.parse({}).cost;
const IMAGE_FEN = Number(args['image-fen'] ?? jimengCost.priceFenPerImage);
const ENHANCED_FEN = Number(args['enhanced-image-fen'] ?? IMAGE_FEN);
const VIDEO_SEC_FEN = Number(args['video-sec-fen']);
const MOTION_SEC = 5;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 12);
const root = fileURLToPath(new URL('..', import.meta.url));

// The shipped packages (assets/packages.json), by their role.
const shipped = JSON.parse(readFileSync(join(root, 'assets', 'packages.json'), 'utf8')) as Package[];
const pkgFree = shipped.find((p) => p.priceFen === 0)!;
const pkg99 = shipped.find((p) => p.priceFen === 990)!;
const pkg299 = shipped.find((p) => p.priceFen === 2990)!;
const catalog = { ...testCatalog, packages: [pkgFree, pkg99, pkg299].map((p) => ({ ...p, enabled: true })) };

// A seeded choice per visitor, so both generators and the baseline see the same crowd.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}
type Choice = 'walk' | 'free' | '9.9' | '29.9';
const rand = rng(Number(args.seed));
const crowd: Choice[] = Array.from({ length: VISITORS }, () => {
  if (rand() < CONVERSION) return rand() < PREMIUM_SHARE ? '29.9' : '9.9';
  return rand() < FREE_TAKEAWAY ? 'free' : 'walk';
});

const photo = await sharp(readFileSync(ASTRONAUT)).resize(512, 512, { fit: 'inside' }).jpeg().toBuffer();
const face: FaceBox = { x: 173, y: 75, w: 103, h: 103, score: 0.95 };

async function pool<T>(items: T[], n: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

interface Tally {
  images: number;
  byChoice: Record<Choice, { visitors: number; images: number; enhanced: number }>;
  delivered: number;
  failed: number;
}
const emptyTally = (): Tally => ({
  images: 0,
  delivered: 0,
  failed: 0,
  byChoice: { walk: { visitors: 0, images: 0, enhanced: 0 }, free: { visitors: 0, images: 0, enhanced: 0 }, '9.9': { visitors: 0, images: 0, enhanced: 0 }, '29.9': { visitors: 0, images: 0, enhanced: 0 } },
});

/** One visitor through the real order flow. Images come from `count(orderId)` (the CostGuard's books, or a counter). */
async function visit(h: Harness, choice: Choice, count: (orderId: string) => { images: number }, tally: Tally): Promise<void> {
  const s = h.service;
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'makeover', 'gugong', null);
  const v = await s.session.addPhoto(o.id, photo, 'camera');
  if (v.state !== 'checked') throw new Error('photo not accepted');
  await s.generation.startTry(o.id);
  await until(() => ['generated', 'checked'].includes(h.repo.order(o.id)!.state) && h.repo.order(o.id)!.generation_status !== 'running', 'the try', 120_000);
  const tried = h.repo.order(o.id)!.state === 'generated';
  if (choice === 'walk' || (choice === 'free' && !tried)) {
    await s.session.abandon(o.id);
  } else if (choice === 'free') {
    await s.money.start(o.id, pkgFree.id, async () => ({ ready: true }));
  } else {
    const pkg = choice === '9.9' ? pkg99 : pkg299;
    await s.money.start(o.id, pkg.id, async () => ({ ready: true }));
    const { token } = h.db.prepare("SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ? AND p.state = 'open'").get(o.id) as { token: string };
    h.sim.confirm(token);
    await until(async () => {
      const x = await s.session.view(o.id);
      return (x.choosing && h.repo.order(o.id)!.generation_status === 'done') || ['delivering', 'delivered', 'refund_pending', 'refunded'].includes(x.state);
    }, 'the paid pictures', 120_000);
    const x = await s.session.view(o.id);
    const ready = x.variants.find((r) => r.status === 'ready');
    if (x.choosing && ready) await s.generation.pick(o.id, ready.index);
  }
  if (choice !== 'walk') {
    await until(() => ['delivered', 'refunded', 'abandoned'].includes(h.repo.order(o.id)!.state), 'delivered', 120_000).catch(() => undefined);
    if (h.repo.order(o.id)!.state === 'delivered') tally.delivered++;
    else tally.failed++;
  }
  const images = count(o.id).images;
  const c = tally.byChoice[choice];
  c.visitors++;
  c.images += images;
  if (choice === '29.9') c.enhanced += Math.max(0, images - 1); // the try is standard, the four after payment enhanced
  tally.images += images;
}

/** Today's behaviour before issue 15: four variants (with supplementary requests) for every visitor. */
async function baselineVisit(gen: Generator, orderId: string, choice: Choice, count: (orderId: string) => { images: number }, tally: Tally): Promise<void> {
  await runVariants({
    generator: gen,
    input: { orderId, product: catalog.products[1]!, style: catalog.styles[0]!, outfitId: null, seed: 1, photos: [{ jpeg: photo, faces: [face], width: 512, height: 512 }] },
    count: 4,
    signal: new AbortController().signal,
    onVariant: () => undefined,
  });
  const images = count(orderId).images;
  tally.byChoice[choice].visitors++;
  tally.byChoice[choice].images += images;
  tally.images += images;
}

/** The figures of one run, from the tally (images) and the configured prices. */
function figures(t: Tally, opts: { motion99: boolean; enhanced: boolean }) {
  const paid = t.byChoice['9.9'].visitors + t.byChoice['29.9'].visitors;
  const paidImages = t.byChoice['9.9'].images + t.byChoice['29.9'].images;
  const freeImages = t.byChoice.walk.images + t.byChoice.free.images;
  const freeShare = paid ? (freeImages * IMAGE_FEN) / paid : 0; // the free tries each paid order carries
  const own = (c: Choice, enhancedPrice: boolean) => {
    const b = t.byChoice[c];
    if (!b.visitors) return 0;
    const enhanced = enhancedPrice ? b.enhanced : 0;
    return ((b.images - enhanced) * IMAGE_FEN + enhanced * ENHANCED_FEN) / b.visitors;
  };
  const cost99 = own('9.9', false) + (opts.motion99 ? MOTION_SEC * VIDEO_SEC_FEN : 0) + freeShare;
  const cost299 = own('29.9', opts.enhanced) + MOTION_SEC * VIDEO_SEC_FEN + freeShare;
  const videoFen = t.byChoice['9.9'].visitors * (opts.motion99 ? MOTION_SEC * VIDEO_SEC_FEN : 0) + t.byChoice['29.9'].visitors * MOTION_SEC * VIDEO_SEC_FEN;
  const imagesFen = (t.images - t.byChoice['29.9'].enhanced) * IMAGE_FEN + t.byChoice['29.9'].enhanced * (opts.enhanced ? ENHANCED_FEN : IMAGE_FEN);
  return {
    ai_images_per_visitor: t.images / VISITORS,
    ai_images_per_paid_order: paid ? paidImages / paid : 0,
    ai_cost_per_paid_order_fen: paid ? (imagesFen + videoFen) / paid : 0,
    gross_margin_9_9: (990 - cost99) / 990,
    gross_margin_29_9: (2990 - cost299) / 2990,
    free_images_per_unpaid_visitor: t.byChoice.walk.visitors + t.byChoice.free.visitors ? freeImages / (t.byChoice.walk.visitors + t.byChoice.free.visitors) : 0,
  };
}

const fmt = (x: number, d = 3) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
const work = mkdtempSync(join(tmpdir(), 'bench-funnel-'));
const started = Date.now();
console.log(
  `funnel: ${VISITORS} visitors, conversion ${CONVERSION} (${crowd.filter((c) => c === '9.9').length} × ¥9.9, ${crowd.filter((c) => c === '29.9').length} × ¥29.9), ` +
    `${crowd.filter((c) => c === 'free').length} free take-aways, ${crowd.filter((c) => c === 'walk').length} walk away; ` +
    `prices: image ${IMAGE_FEN} fen, enhanced ${ENHANCED_FEN} fen, video ${VIDEO_SEC_FEN} fen/s`,
);

// ---------------------------------------------------------------- Jimeng (simulator), billed
const sim = await startJimengSimulator({ latency: { kind: 'fixed', ms: 20 }, renderScale: 0.08 });
const jcfg = JimengConfig.parse({
  endpoint: sim.url,
  accessKey: sim.accessKey,
  secretKey: sim.secretKey,
  polling: { initialMs: 15, minMs: 10, maxMs: 50 },
  retries: { throttle: 6, server: 2, resubmit: 1, backoffMs: 20 },
});
const prompts = loadPromptLibrary(join(root, 'assets'));
// Limits off so the books count everything (the shipped limits cap the day, not the visitor).
const limits = { priceFenPerImage: IMAGE_FEN, dailyBudgetFen: 0, maxCallsPerOrder: 16, regenerationsPerOrder: 1 };

async function jimengRun(): Promise<{ tally: Tally; guardImages: number; simBilled: number }> {
  const guard = new CostGuard(limits, memoryCostStore());
  const gen = new JimengGenerator({ config: jcfg, prompts, costGuard: guard });
  const h = harness({ dir: mkdtempSync(join(work, 'jimeng-')), generator: gen, catalog, aiBudget: guard });
  h.config.sale.freeCooldownSec = 0;
  h.config.sale.freeDailyBudget = VISITORS + 1;
  const tally = emptyTally();
  const before = sim.stats.billedImages;
  await pool(crowd, CONCURRENCY, (c) => visit(h, c, (id) => guard.usage(id), tally));
  await h.service.delivery.idle();
  await h.close();
  await gen.close();
  return { tally, guardImages: guard.today().images, simBilled: sim.stats.billedImages - before };
}

async function jimengBaseline(): Promise<Tally> {
  const guard = new CostGuard(limits, memoryCostStore());
  const gen = new JimengGenerator({ config: jcfg, prompts, costGuard: guard });
  const tally = emptyTally();
  await pool(crowd, CONCURRENCY, (c, i) => baselineVisit(gen, `base-${i}`, c, (id) => guard.usage(id), tally));
  await gen.close();
  return tally;
}

const j = await jimengRun();
const jb = await jimengBaseline();
await sim.close();
const jf = figures(j.tally, { motion99: pkg99.motion, enhanced: true });
const bf = figures(jb, { motion99: false, enhanced: false }); // before: ¥9.9 had no 微动态, ¥29.9 no better model
console.log(
  `jimeng: billed images ${j.guardImages} (simulator billed ${j.simBilled}); delivered ${j.tally.delivered}, failed ${j.tally.failed}; ` +
    `unpaid visitors cost ${fmt(jf.free_images_per_unpaid_visitor)} images each; baseline billed ${jb.images}`,
);

// ---------------------------------------------------------------- local generator, nothing billed
let local = '';
if (process.env.BENCH_SKIP_LOCAL !== '1') {
  const base = createLocalGenerator({ assetsDir: join(root, 'assets'), width: 360, height: 240 });
  const counts = new Map<string, number>();
  const counted: Generator = {
    name: 'local',
    generate: (input, onVariant) =>
      base.generate(input, (v) => {
        counts.set(input.orderId, (counts.get(input.orderId) ?? 0) + 1);
        onVariant(v);
      }),
  };
  const h = harness({ dir: mkdtempSync(join(work, 'local-')), generator: counted, catalog });
  h.config.sale.freeCooldownSec = 0;
  h.config.sale.freeDailyBudget = VISITORS + 1;
  const tally = emptyTally();
  await pool(crowd, Math.min(CONCURRENCY, 4), (c) => visit(h, c, (id) => ({ images: counts.get(id) ?? 0 }), tally));
  await h.service.delivery.idle();
  await h.close();
  const lf = figures(tally, { motion99: pkg99.motion, enhanced: false });
  local = ` local_images_per_visitor=${fmt(lf.ai_images_per_visitor)} local_images_per_paid_order=${fmt(lf.ai_images_per_paid_order)}`;
  console.log(`local: images ${tally.images} (not billed), delivered ${tally.delivered}, failed ${tally.failed}`);
}
rmSync(work, { recursive: true, force: true });
console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(
  `RESULT ai_images_per_visitor=${fmt(jf.ai_images_per_visitor)} ai_images_per_paid_order=${fmt(jf.ai_images_per_paid_order)} ` +
    `ai_cost_per_paid_order_fen=${fmt(jf.ai_cost_per_paid_order_fen, 1)} gross_margin_9_9=${fmt(jf.gross_margin_9_9)} gross_margin_29_9=${fmt(jf.gross_margin_29_9)} ` +
    `baseline_ai_images_per_visitor=${fmt(bf.ai_images_per_visitor)} baseline_ai_cost_per_paid_order_fen=${fmt(bf.ai_cost_per_paid_order_fen, 1)} ` +
    `baseline_gross_margin_9_9=${fmt(bf.gross_margin_9_9)} baseline_gross_margin_29_9=${fmt(bf.gross_margin_29_9)}${local}`,
);
