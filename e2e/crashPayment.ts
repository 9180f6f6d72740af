// The crash test of the money path, once per payment provider (crash-payment.e2e.test.ts for WeChat
// Pay, crash-payment-alipay.e2e.test.ts for Alipay): the real browser host, paying against the
// provider's protocol-faithful simulator, is SIGKILLed at every step of the paid path — before the
// create reaches the provider, after create (answer lost), while waiting for the customer, right
// after payment, while the customer pays during the outage, during delivery, after a late payment,
// during the refund — at least 50 times, restarted each time, and the simulator's books are
// checked: every paid order delivered exactly once or refunded exactly once, nothing refunded that
// was delivered, nothing lost. Prints the tally and the payment-detection latency.
//
// Needs the built host (npm run build). CRASH_KILLS raises or lowers the number of kills (default 50).
// A provider joins by describing its simulator's faults and books in the kiosk's words (CrashSim).
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACK_TO_BACK, root } from './kioskHost';
import { ASTRONAUT } from '../fixtures/paths';

/** One trade in the simulator's books, in the kiosk's words. */
export interface CrashTrade {
  outTradeNo: string;
  attach?: string | null;
  paid: boolean;
  amountFen: number;
  refundCount: number;
  refundedFen: number;
}

/** A running payment simulator, as the crash test drives and audits it. */
export interface CrashSim {
  /** The host's environment for this provider, KIOSK_PAYMENT included. */
  env: Record<string, string>;
  trades(): CrashTrade[];
  totals(): { trades: number; paidCount: number; paidFen: number; refundCount: number; refundedFen: number };
  pay(outTradeNo: string): Promise<void>;
  /** The customer scans the QR but does not pay. */
  scanWithoutPaying(outTradeNo: string): void;
  /** The provider refuses the next close of this trade (the kiosk closes it locally; the QR stays payable). */
  refuseNextClose(outTradeNo: string): void;
  /** The next refund request times out; `processed`: the provider made the refund anyway. */
  refundTimesOut(processed: boolean): void;
  /** The next create request times out; `processed`: the provider created the trade anyway. */
  createTimesOut(processed: boolean): void;
  requestCount(): number;
  refundRequestedSince(requestIndex: number): boolean;
  timedOutSince(requestIndex: number): boolean;
  clearFaults(): void;
  refundsAllSucceeded(): boolean;
  /** Asserts no unpaid trade is left payable (given the kiosk's payment states) and summarises them. */
  checkUnpaidTrades(kioskPayments: Map<string, string>): string;
  close(): Promise<void>;
}

export interface CrashProvider {
  /** As people say it: "WeChat Pay", "Alipay". */
  name: string;
  /** Names the tally line and the work folder. */
  tag: string;
  start(keyDir: string): Promise<CrashSim>;
}

export function crashPaymentSuite(provider: CrashProvider): void {
  const work = mkdtempSync(join(tmpdir(), `${provider.tag}-`));
  const dataDir = join(work, 'data');
  let sim: CrashSim;
  let env: Record<string, string>;

  const MIN_KILLS = Number(process.env.CRASH_KILLS ?? 50);
  const PAID_ORDERS = 3;
  const REFUND_ORDERS = 2;

  interface Running {
    proc: ChildProcess;
    url: Promise<string>;
    output: string[];
    exited: Promise<void>;
  }

  const running = new Set<Running>();

  /** Starts the built browser host; `url` resolves once start-up (including the reconciler) is done. */
  function launch(): Running {
    const bundle = join(root, 'dist', 'main', 'browser-host.cjs');
    const proc = spawn(process.execPath, [bundle], {
      cwd: root,
      env: { ...process.env, ...env, KIOSK_DATA_DIR: dataDir, KIOSK_PORT: '0', KIOSK_PHONE_PORT: '0', KIOSK_LOG_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const url = new Promise<string>((ok, fail) => {
      proc.stdout!.on('data', (b: Buffer) => {
        output.push(b.toString());
        const m = output.join('').match(/KIOSK_URL=(\S+)/);
        if (m) ok(m[1]!);
      });
      proc.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
      void exited.then(() => fail(new Error(`host exited before it was ready:\n${output.join('').slice(-2000)}`)));
    });
    url.catch(() => undefined);
    const r = { proc, url, output, exited };
    running.add(r);
    void exited.then(() => running.delete(r));
    return r;
  }

  async function kill(r: Running): Promise<void> {
    r.proc.kill('SIGKILL');
    await r.exited;
  }

  async function api<T = OrderViewLite>(url: string, name: string, input: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string } }> {
    const res = await fetch(new URL(`api/${name}`, url), { method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json' } });
    return (await res.json()) as { ok: boolean; value?: T; error?: { code: string } };
  }

  interface OrderViewLite {
    id: string;
    state: string;
    payment: { codeUrl?: string } | null;
  }

  function db() {
    return new Database(join(dataDir, 'kiosk.sqlite'), { readonly: true, fileMustExist: true });
  }
  function orderState(orderId: string): string {
    const d = db();
    try {
      return (d.prepare('SELECT state FROM orders WHERE id = ?').get(orderId) as { state: string }).state;
    } finally {
      d.close();
    }
  }
  function transitionsTo(orderId: string, state: string): number {
    const d = db();
    try {
      return (d.prepare('SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ? AND to_state = ?').get(orderId, state) as { n: number }).n;
    } finally {
      d.close();
    }
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 25): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(everyMs);
    }
  }

  /** The simulator's trades of one kiosk order (attach = "<kioskId>:<orderId>"), newest last. */
  const tradesOf = (orderId: string) => sim.trades().filter((o) => o.attach?.endsWith(`:${orderId}`));

  const tally = {
    kills: {} as Record<string, number>,
    restarts: 0,
    detectionMs: [] as number[],
  };
  const killed = (step: string) => {
    tally.kills[step] = (tally.kills[step] ?? 0) + 1;
  };
  const totalKills = () => Object.values(tally.kills).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'main', 'browser-host.cjs'))) throw new Error('run `npm run build` first');
    sim = await provider.start(join(work, 'keys'));
    env = { ...sim.env, KIOSK_PRINTER: 'pdf', KIOSK_PAYMENT_TIMEOUT_SEC: '120', ...BACK_TO_BACK };
  });

  afterAll(async () => {
    for (const r of [...running]) await kill(r);
    await sim?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Takes a new order from consent to a picked variant, then starts and cancels a payment so it survives restarts. */
  async function prepareOrder(url: string, photo: string): Promise<string> {
    const c = await api(url, 'session:accept-consent', { lang: 'zh', consent: true });
    const id = c.value!.id;
    expect((await api(url, 'order:choose-product', { orderId: id, productId: 'makeover', styleId: 'gugong', outfitId: null })).ok).toBe(true);
    expect((await api(url, 'capture:add-photo', { orderId: id, image: photo })).ok).toBe(true);
    expect((await api(url, 'generate:start', { orderId: id })).ok).toBe(true);
    await until('generation', async () => (await api(url, 'order:get', { orderId: id })).value!.state === 'generated', 150_000, 250);
    expect((await api(url, 'order:pick-variant', { orderId: id, index: 0 })).ok).toBe(true);
    // picked orders are abandoned at restart; payment_closed ones may pay again (a new out_trade_no).
    const p = await api(url, 'payment:start', { orderId: id, packageId: 'print' });
    expect(p.ok, JSON.stringify(p.error)).toBe(true);
    expect(tradesOf(id).length, `the host must pay through the ${provider.name} simulator (KIOSK_PAYMENT=${sim.env.KIOSK_PAYMENT})`).toBe(1);
    expect((await api(url, 'payment:cancel', { orderId: id })).ok).toBe(true);
    await until('closed', () => orderState(id) === 'payment_closed');
    return id;
  }

  /** Restart after a kill and wait until start-up (with its reconciler) has finished. */
  async function restart(): Promise<{ r: Running; url: string }> {
    tally.restarts++;
    const r = launch();
    return { r, url: await r.url };
  }

  describe(`money path survives SIGKILL at every step (${provider.name} simulator books)`, () => {
    it(`kills the kiosk ≥ ${MIN_KILLS} times and never loses, double-delivers or double-refunds a payment`, { timeout: 900_000 }, async () => {
      const photo = readFileSync(ASTRONAUT).toString('base64');
      let { r, url } = await restart();
      const pool = await prepareOrder(url, photo);
      const orders: string[] = [];
      for (let i = 0; i < PAID_ORDERS + REFUND_ORDERS; i++) orders.push(await prepareOrder(url, photo));

      // ---- paid orders: kill right after payment / pay during the outage, then during delivery (twice).
      const paidIds = orders.slice(0, PAID_ORDERS);
      for (const [n, id] of paidIds.entries()) {
        const p = await api(url, 'payment:start', { orderId: id, packageId: 'print' });
        expect(p.value?.state).toBe('awaiting_payment');
        const trade = tradesOf(id).at(-1)!;
        if (n === 0) {
          // Measured: payment at the provider → "paid" committed by the kiosk; then the power goes.
          const t0 = Date.now();
          await sim.pay(trade.outTradeNo);
          await until('paid', () => transitionsTo(id, 'paid') === 1, 10_000, 10);
          tally.detectionMs.push(Date.now() - t0);
          await kill(r);
          killed('right-after-paid-recorded');
        } else if (n === 1) {
          await sim.pay(trade.outTradeNo);
          await kill(r); // before the kiosk's next poll: it has not seen the payment
          killed('right-after-payment');
        } else {
          await kill(r);
          killed('waiting');
          await sim.pay(trade.outTradeNo); // the customer pays while the kiosk is down
        }
        for (let k = 0; k < 2; k++) {
          ({ r, url } = await restart());
          const caught = await until('delivering or delivered', () => {
            const s = orderState(id);
            return s === 'delivering' || s === 'delivered' ? s : undefined;
          }, 30_000, 5);
          if (caught === 'delivered') break;
          await kill(r);
          killed('during-delivery');
        }
        ({ r, url } = await restart());
        await until('delivered', () => orderState(id) === 'delivered', 60_000);
      }

      // ---- refund path: the close is refused, the customer pays anyway (late payment) → kiosk down,
      //      restart refunds it; killed again while the refund is in flight.
      for (const [n, id] of orders.slice(PAID_ORDERS).entries()) {
        const p = await api(url, 'payment:start', { orderId: id, packageId: 'print' });
        expect(p.value?.state).toBe('awaiting_payment');
        const trade = tradesOf(id).at(-1)!;
        sim.refuseNextClose(trade.outTradeNo);
        await api(url, 'payment:cancel', { orderId: id });
        await until('closed locally', () => orderState(id) === 'payment_closed');
        await sim.pay(trade.outTradeNo);
        await kill(r);
        killed('late-payment');
        // The refund request reaches the provider; its answer is lost (n=0) or it is not processed at all (n=1).
        sim.refundTimesOut(n === 0);
        const seen = sim.requestCount();
        r = launch();
        tally.restarts++;
        await until('refund request', () => sim.refundRequestedSince(seen), 60_000);
        await kill(r);
        killed('during-refund');
        sim.clearFaults();
        ({ r, url } = await restart());
        // If the kiosk is still waiting for the refund's outcome (WeChat answers PROCESSING), cut the
        // power once more: the restart asks for the refund's state with the same refund number.
        for (let k = 0; k < 3 && orderState(id) !== 'refunded'; k++) {
          const done = await until('refunded', () => orderState(id) === 'refunded', 8000).catch(() => false);
          if (done) break;
          await kill(r);
          killed('refund-processing');
          ({ r, url } = await restart());
        }
        await until('refunded', () => orderState(id) === 'refunded', 60_000);
      }

      // ---- pre-payment kills: the pool order pays again each round (new out_trade_no), nothing is paid.
      // (kept for last, so they top the total up to MIN_KILLS whatever the paid path yielded)
      for (let i = 0; totalKills() < MIN_KILLS - 1; i++) {
        const step = ['before-create', 'after-create', 'waiting'][i % 3]!;
        const before = tradesOf(pool).length;
        if (step === 'before-create') {
          // The create request reaches the simulator, which neither processes nor answers it.
          sim.createTimesOut(false);
          const seen = sim.requestCount();
          void api(url, 'payment:start', { orderId: pool, packageId: 'print' }).catch(() => undefined);
          await until('create request', () => sim.timedOutSince(seen));
        } else if (step === 'after-create') {
          // The provider created the trade, the answer is lost in the network.
          sim.createTimesOut(true);
          void api(url, 'payment:start', { orderId: pool, packageId: 'print' }).catch(() => undefined);
          await until('trade created', () => tradesOf(pool).length > before);
        } else {
          const p = await api(url, 'payment:start', { orderId: pool, packageId: 'print' });
          expect(p.value?.state).toBe('awaiting_payment');
          // Every other time the customer scans but does not pay (an Alipay trade exists only once scanned).
          if (i % 2 === 0) sim.scanWithoutPaying(tradesOf(pool).at(-1)!.outTradeNo);
          await sleep((i * 137) % 1200); // somewhere in the customer's scanning time
        }
        await kill(r);
        killed(step);
        sim.clearFaults();
        ({ r, url } = await restart());
        // The reconciler settled the trade: closed at the provider (or never created), order can pay again.
        await until('order back to payment_closed', () => orderState(pool) === 'payment_closed');
        expect(tradesOf(pool).every((t) => !t.paid)).toBe(true);
      }

      // ---- a last clean restart, then the books.
      await kill(r);
      killed('idle');
      ({ r, url } = await restart());
      await sleep(500);
      const totals = sim.totals();
      const d = db();
      const kioskOrders = d.prepare('SELECT id, state, amount_fen FROM orders').all() as { id: string; state: string; amount_fen: number | null }[];
      d.close();
      let delivered = 0;
      let refunded = 0;
      for (const t of sim.trades().filter((o) => o.paid)) {
        const orderId = t.attach!.split(':').at(-1)!;
        const o = kioskOrders.find((k) => k.id === orderId);
        expect(o, `paid trade ${t.outTradeNo} has a kiosk order`).toBeDefined();
        const deliveredN = transitionsTo(orderId, 'delivered');
        if (t.refundCount > 0) {
          refunded++;
          expect([t.refundCount, t.refundedFen, deliveredN, o!.state]).toEqual([1, t.amountFen, 0, 'refunded']);
        } else {
          delivered++;
          expect([deliveredN, o!.state]).toEqual([1, 'delivered']);
        }
      }
      expect(sim.refundsAllSucceeded()).toBe(true);
      // Nothing lost: every paid trade is one of the paid orders; no other trade was paid.
      expect(totals.paidCount).toBe(PAID_ORDERS + REFUND_ORDERS);
      expect([delivered, refunded]).toEqual([PAID_ORDERS, REFUND_ORDERS]);
      // One print per delivered order, however often delivery was interrupted.
      const outDir = join(dataDir, 'prints', 'out');
      const pdfs = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.pdf')) : [];
      expect(pdfs).toHaveLength(PAID_ORDERS);
      // Unpaid trades: none left payable (each provider says what that means in its books).
      const d2 = db();
      const kioskPayments = new Map((d2.prepare('SELECT out_trade_no, state FROM payments').all() as { out_trade_no: string; state: string }[]).map((p) => [p.out_trade_no, p.state]));
      d2.close();
      const unpaid = sim.checkUnpaidTrades(kioskPayments);
      expect(totalKills()).toBeGreaterThanOrEqual(MIN_KILLS);

      const detection = tally.detectionMs.map((ms) => `${ms} ms`).join(', ');
      console.log(
        [
          `${provider.tag} tally: ${totalKills()} SIGKILLs, ${tally.restarts} restarts`,
          `  kills by step: ${Object.entries(tally.kills).map(([k, v]) => `${k}=${v}`).join(' ')}`,
          `  ${provider.name} books: ${totals.trades} trades, ${totals.paidCount} paid (${totals.paidFen} fen), ` +
            `${totals.refundCount} refunds (${totals.refundedFen} fen), ${unpaid}`,
          `  paid orders: delivered exactly once=${delivered}, refunded exactly once=${refunded}, lost=0, double=0; prints=${pdfs.length}`,
          `  payment detection (${provider.name} paid → kiosk "paid" committed): ${detection}`,
        ].join('\n'),
      );
      await kill(r);
    });
  });
}
