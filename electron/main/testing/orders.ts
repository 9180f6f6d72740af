// Test kit for the order flows: a real SQLite store, the real simulated payment provider and LAN
// share, and small controllable fakes for the parts that need hardware or heavy compute.
// Used only by *.test.ts files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Package, Product, Style } from '../../shared/contract';
import { dataPaths, type DataPaths } from '../infra/paths';
import type { ChecksService } from '../services/checks/types';
import { KioskConfig } from '../services/config';
import type { Generator } from '../services/generator/types';
import { runVariants } from '../services/generator/variants';
import { SimulatedPayment } from '../services/payment/simulated';
import type { PaymentProvider } from '../services/payment/types';
import type { PrintJobState, Printer, PrintSubmit } from '../services/print/types';
import { createPrintQueue, type PrintQueue } from '../services/print/printQueue';
import { LanShare } from '../services/share/lan';
import { openDb, type Db } from '../services/store/db';
import type { Catalog, OrderDeps } from '../services/orders/context';
import { OrderService } from '../services/orders/index';
import { OrdersRepo } from '../services/orders/repo';

export const testCatalog: Catalog = {
  products: [
    { id: 'puzzle', name: { zh: '时空拼图', en: 'Reunion collage' }, description: { zh: '', en: '' }, enabled: true, minPhotos: 1, maxPhotos: 6 },
    { id: 'makeover', name: { zh: '富贵变身', en: 'Makeover' }, description: { zh: '', en: '' }, enabled: true, minPhotos: 1, maxPhotos: 1 },
  ] satisfies Product[],
  styles: [
    { id: 'gugong', name: { zh: '故宫', en: 'Palace' }, enabled: true, products: ['puzzle', 'makeover'], outfits: [], palette: ['#8b0000', '#e9c46a'] },
  ] satisfies Style[],
  packages: [
    // digital and print: one clean picture (the try, unwatermarked) so the money tests need no pick.
    { id: 'digital', name: { zh: '电子版', en: 'Digital' }, priceFen: 990, print: false, copies: 0, download: true, motion: false, enabled: true, variants: 1, watermark: false, model: 'standard' },
    { id: 'print', name: { zh: '打印+电子版', en: 'Print' }, priceFen: 1990, print: true, copies: 1, download: true, motion: false, enabled: true, variants: 1, watermark: false, model: 'standard' },
    { id: 'free', name: { zh: '体验', en: 'Free' }, priceFen: 0, print: true, copies: 1, download: true, motion: false, enabled: true, variants: 1, watermark: true, model: 'standard' },
    // The shipped shapes of try-then-buy: four pictures after payment, 尊享 from the enhanced model.
    { id: 'four', name: { zh: '电子版四选一', en: 'Digital, 1 of 4' }, priceFen: 990, print: false, copies: 0, download: true, motion: true, enabled: true, variants: 4, watermark: false, model: 'standard' },
    { id: 'premium', name: { zh: '尊享', en: 'Premium' }, priceFen: 2990, print: true, copies: 1, download: true, motion: true, enabled: true, variants: 4, watermark: false, model: 'enhanced' },
  ] satisfies Package[],
};

export async function solidJpeg(seed: number, w = 320, h = 240): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: (seed * 40) % 256, g: 80, b: 120 } } })
    .jpeg()
    .toBuffer();
}

/** A checks service that accepts any non-empty JPEG as one good face (the real detector has its own tests). */
export function fakeChecks(): ChecksService {
  return {
    async checkPhoto(image) {
      if (image.length < 100) return { ok: false, faces: [], reasons: [{ code: 'NOT_AN_IMAGE', message: '无法读取这张照片' }], width: 0, height: 0, jpeg: null };
      const meta = await sharp(image).metadata();
      return { ok: true, faces: [{ x: 10, y: 10, w: 100, h: 100, score: 0.9 }], reasons: [], width: meta.width ?? 0, height: meta.height ?? 0, jpeg: image };
    },
    async detectFaces() {
      return [{ x: 10, y: 10, w: 100, h: 100, score: 0.9 }];
    },
    async guideFrame() {
      return { faces: 1, hint: 'OK', message: '很好，保持住' };
    },
    async close() {},
  };
}

export function fakeGenerator(): Generator & { calls: number; models: string[] } {
  const g = {
    name: 'fake',
    calls: 0,
    /** The model asked for, per call (尊享 asks for the enhanced one). */
    models: [] as string[],
    async generate(input: Parameters<Generator['generate']>[0], onVariant: Parameters<Generator['generate']>[1]) {
      for (const index of input.indices) {
        g.calls++;
        g.models.push(input.model ?? 'standard');
        onVariant({ index, seed: input.seed + index, image: await solidJpeg(index + 1, 600, 400) });
      }
      return [];
    },
  };
  return g;
}

/** An in-memory printer whose jobs complete after `steps` polls; can be told to fail or go offline. */
export class FakePrinter implements Printer {
  readonly name = 'fake';
  ready = true;
  failNext = 0;
  readonly submitted: PrintSubmit[] = [];
  private readonly jobs = new Map<string, { key: string; polls: number; fail: boolean }>();
  constructor(private readonly steps = 2) {}
  async status() {
    return { ready: this.ready, code: this.ready ? 'READY' : 'OFFLINE', detail: '' };
  }
  async submit(job: PrintSubmit) {
    this.submitted.push(job);
    const id = `job-${this.submitted.length}`;
    this.jobs.set(id, { key: job.jobKey, polls: 0, fail: this.failNext-- > 0 });
    return { systemJobId: id };
  }
  async jobState(id: string): Promise<PrintJobState> {
    const j = this.jobs.get(id);
    if (!j) return 'aborted';
    if (j.fail) return 'aborted';
    return ++j.polls >= this.steps ? 'completed' : 'processing';
  }
  async findJob(jobKey: string) {
    for (const [id, j] of this.jobs) if (j.key === jobKey && !j.fail) return { systemJobId: id };
    return null;
  }
}

export interface Harness {
  dir: string;
  config: KioskConfig;
  paths: DataPaths;
  db: Db;
  repo: OrdersRepo;
  sim: SimulatedPayment;
  payment: PaymentProvider;
  printer: FakePrinter;
  spooler: PrintQueue;
  generator: ReturnType<typeof fakeGenerator>;
  events: { event: string; payload: unknown }[];
  service: OrderService;
  /** A new OrderService on the same database: what a restart after a crash looks like. */
  restart(): OrderService;
  close(): Promise<void>;
}

export function harness(
  opts: {
    payment?: (sim: SimulatedPayment) => PaymentProvider;
    printer?: FakePrinter;
    dir?: string;
    aiBudget?: OrderDeps['aiBudget'];
    motion?: OrderDeps['motion'];
    watermarkPreview?: OrderDeps['watermarkPreview'];
    /** A print layout that records what goes on the print (default: a one-line fake PDF). */
    printLayout?: OrderDeps['printLayout'];
    timing?: OrderDeps['timing'];
    /** A real generator (the funnel benchmark: local or Jimeng) instead of the fake; and a catalogue. */
    generator?: Generator;
    catalog?: Catalog;
  } = {},
): Harness {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kiosk-orders-'));
  const paths = dataPaths(dir);
  const db = openDb(paths.db);
  const repo = new OrdersRepo(db);
  const events: Harness['events'] = [];
  const printer = opts.printer ?? new FakePrinter();
  const spooler = createPrintQueue({ printer, stateFile: join(dir, 'print-jobs.json'), pollMs: 5, jobTimeoutMs: 2000, readyTimeoutMs: 200 });
  const generator = fakeGenerator();
  const services: OrderService[] = [];
  let current: OrderService | undefined;
  const sim = new SimulatedPayment({ db, baseUrl: () => 'http://phone.test', onPaid: (no) => current?.money.notify(no) });
  const payment = opts.payment ? opts.payment(sim) : sim;
  // No cool-down between free tries: a test walks several families through one kiosk at once.
  const config = KioskConfig.parse({ paymentTimeoutSec: 60, sale: { freeCooldownSec: 0 } });
  const make = () => {
    const deps: OrderDeps = {
      db,
      repo,
      config,
      catalog: () => opts.catalog ?? testCatalog,
      paths,
      checks: fakeChecks(),
      generator: opts.generator ?? generator,
      runVariants,
      aiBudget: opts.aiBudget,
      payment,
      printer: spooler,
      printMedia: { widthIn: 6, heightIn: 4 },
      printLayout: opts.printLayout ?? (async (o) => {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(o.outPath, '%PDF-1.4 fake');
        return { pdfPath: o.outPath, widthIn: 6, heightIn: 4 };
      }),
      share: new LanShare({ dir: paths.share, baseUrl: () => 'http://phone.test', secret: Buffer.alloc(32, 7) }),
      motion: opts.motion ?? null,
      watermarkPreview: opts.watermarkPreview ?? (async (img) => img),
      labelDelivered: async (img) => img,
      phoneBaseUrl: () => 'http://phone.test',
      emit: (event, payload) => events.push({ event, payload }),
      timing: { pollFastMs: 20, pollSlowMs: 20, retryMs: 5, ...opts.timing },
    };
    const s = new OrderService(deps);
    services.push(s);
    current = s;
    return s;
  };
  const service = make();
  return {
    dir,
    config,
    paths,
    db,
    repo,
    sim,
    payment,
    printer,
    spooler,
    generator,
    events,
    service,
    restart: () => {
      for (const s of services) void s.close();
      return make();
    },
    close: async () => {
      for (const s of services) await s.close();
      db.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** After payment of a four-picture package: waits for the round, then picks like the family does. */
export async function pickAfterPayment(h: Harness, orderId: string, index = 0, effect?: 'fireworks' | 'lanterns' | 'snow' | 'fu'): Promise<void> {
  await until(async () => {
    const v = await h.service.session.view(orderId);
    return v.choosing && h.repo.order(orderId)?.generation_status === 'done' && v.variants.some((x) => x.index === index && x.status === 'ready');
  }, 'four pictures to pick from');
  await h.service.generation.pick(orderId, index, effect ?? null);
}

export async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
