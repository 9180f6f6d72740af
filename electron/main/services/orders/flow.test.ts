import { afterEach, describe, expect, it } from 'vitest';
import { KioskFailure } from '../../../shared/result';
import { PaymentError, type PaymentProvider } from '../payment/types';
import type { SimulatedPayment } from '../payment/simulated';
import { harness, pickAfterPayment, solidJpeg, until, FakePrinter, type Harness } from '../../testing/orders';
import type { OrderService } from './index';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Walks an order from consent to "picked" with one good photo. */
async function pickedOrder(s: OrderService): Promise<string> {
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'puzzle', 'gugong', null);
  const v1 = await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  expect(v1.state).toBe('checked');
  await s.generation.startTry(o.id);
  await until(() => s.deps.repo.order(o.id)?.state === 'generated', 'the try');
  const view = await s.session.view(o.id);
  // Try, then buy: one picture before payment.
  expect(view.variants.filter((v) => v.status === 'ready')).toHaveLength(1);
  await s.generation.pick(o.id, 0);
  return o.id;
}

const tokenOf = (h: Harness, orderId: string) =>
  (h.db.prepare('SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ?').get(orderId) as {
    token: string;
  }).token;

describe('the paid path', () => {
  it('delivers a paid print order once: payment seen, print completed, download link live', async () => {
    h = harness();
    const s = h.service;
    const orderId = await pickedOrder(s);
    const view = await s.money.start(orderId, 'print', async () => ({ ready: true }));
    expect(view.state).toBe('awaiting_payment');
    expect(view.payment?.codeUrl).toMatch(/^http:\/\/phone\.test\/p\/pay\//);
    expect(view.payment?.qrSvg).toContain('<svg');

    const paidAt = Date.now();
    expect(h.sim.confirm(tokenOf(h, orderId))).toBe('SUCCESS');
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(Date.now() - paidAt).toBeLessThan(2000);
    expect(h.printer.submitted).toHaveLength(1);
    expect(h.printer.submitted[0]!.copies).toBe(1);
    const final = await s.session.view(orderId);
    expect(final.delivery?.print?.status).toBe('done');
    expect(final.delivery?.download?.url).toMatch(/^http:\/\/phone\.test\/p\/download\//);
    // Every transition is on record, in order.
    const states = (h.db.prepare('SELECT to_state FROM order_transitions WHERE order_id = ? ORDER BY id').all(orderId) as { to_state: string }[]).map((r) => r.to_state);
    expect(states).toEqual(['checked', 'generating', 'generated', 'picked', 'awaiting_payment', 'paid', 'delivering', 'delivered']);
  });

  it('treats repeated notifications and queries as one payment', async () => {
    h = harness();
    const s = h.service;
    const orderId = await pickedOrder(s);
    await s.money.start(orderId, 'print', async () => ({ ready: true }));
    const no = s.deps.repo.payments(orderId)[0]!.out_trade_no;
    h.sim.confirm(tokenOf(h, orderId));
    for (let i = 0; i < 10; i++) s.money.notify(no);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    for (let i = 0; i < 5; i++) s.money.notify(no);
    await s.delivery.idle();
    expect(h.printer.submitted).toHaveLength(1);
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM order_transitions WHERE order_id = ? AND to_state = 'paid'").get(orderId)).toEqual({ n: 1 });
  });

  it('does not sell a print package while the printer is not ready', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    h.printer.ready = false;
    await expect(h.service.money.start(orderId, 'print', () => h!.spooler.readiness(1))).rejects.toMatchObject({ code: 'PRINTER_NOT_READY' });
    expect(h.repo.order(orderId)?.state).toBe('picked');
    expect(h.repo.payments(orderId)).toHaveLength(0);
  });

  it('free packages skip payment and are delivered', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    const v = await h.service.money.start(orderId, 'free', async () => ({ ready: true }));
    expect(v.payment?.free ?? v.state === 'paid').toBeTruthy();
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.repo.payments(orderId)).toHaveLength(0);
  });

  it('cancel closes the trade; the QR can no longer be paid', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'digital', async () => ({ ready: true }));
    const v = await h.service.money.cancel(orderId);
    expect(v.state).toBe('payment_closed');
    expect(h.sim.confirm(tokenOf(h, orderId))).toBe('CLOSED');
    expect(h.sim.books()[0]).toMatchObject({ state: 'CLOSED', refundedFen: 0 });
  });
});

describe('when things go wrong', () => {
  it('refunds once when the print fails for good', async () => {
    h = harness({ printer: Object.assign(new FakePrinter(), { failNext: 5 }) });
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'print', async () => ({ ready: true }));
    h.sim.confirm(tokenOf(h, orderId));
    await until(() => h!.repo.order(orderId)?.state === 'refunded', 'refunded');
    expect(h.printer.submitted).toHaveLength(2); // one retry, then the refund
    expect(h.sim.books()[0]).toMatchObject({ state: 'REFUND', refundedFen: 1990 });
    expect((await h.service.session.view(orderId)).notice).toContain('退');
  });

  it('refunds a payment that arrives after the kiosk gave up on the order', async () => {
    // The close call fails on the network: the kiosk shows the order closed, but the QR still works.
    let failClose = true;
    h = harness({
      payment: (sim: SimulatedPayment): PaymentProvider => ({
        name: 'flaky',
        create: (o) => sim.create(o),
        query: (n) => sim.query(n),
        close: async (n) => {
          if (failClose) throw new PaymentError('NETWORK', 'connection reset', 'retry');
          return sim.close(n);
        },
        refund: (r) => sim.refund(r),
        queryRefund: (n) => sim.queryRefund(n),
      }),
    });
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'digital', async () => ({ ready: true }));
    const v = await h.service.money.cancel(orderId);
    expect(v.state).toBe('payment_closed');
    expect(h.sim.confirm(tokenOf(h, orderId))).toBe('SUCCESS'); // the customer paid anyway
    failClose = false;
    const s2 = h.restart();
    await s2.reconcile();
    await until(() => h!.repo.order(orderId)?.state === 'refunded', 'refunded');
    expect(h.sim.books()[0]).toMatchObject({ state: 'REFUND', amountFen: 990, refundedFen: 990 });
    expect(h.printer.submitted).toHaveLength(0);
  });

  it('resumes delivery after a crash right after payment, printing exactly once', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'print', async () => ({ ready: true }));
    // Paid at the provider, but the kiosk died before it saw it.
    await h.service.close();
    h.sim.confirm(tokenOf(h, orderId));
    const s2 = h.restart();
    const tally = await s2.reconcile();
    expect(tally.payments).toBe(1);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.printer.submitted).toHaveLength(1);
  });

  it('does not print twice when the kiosk died before recording the print outcome', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'print', async () => ({ ready: true }));
    h.sim.confirm(tokenOf(h, orderId));
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    // Rewind the print row to "working" as if the kiosk died before it recorded the outcome.
    h.db.prepare("UPDATE orders SET state = 'delivering' WHERE id = ?").run(orderId);
    h.repo.setDeliverable(orderId, 'print', { status: 'working', external_ref: null });
    const s2 = h.restart();
    await s2.reconcile();
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered again');
    expect(h.printer.submitted).toHaveLength(1);
  });

  it('abandons unfinished pre-payment sessions at start-up and closes open trades', async () => {
    h = harness();
    const a = await h.service.session.acceptConsent('zh');
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'digital', async () => ({ ready: true }));
    const s2 = h.restart();
    const tally = await s2.reconcile();
    expect(tally.abandoned).toBe(1);
    expect(h.repo.order(a.id)?.state).toBe('abandoned');
    expect(h.repo.order(orderId)?.state).toBe('payment_closed');
    expect(h.sim.books()[0]?.state).toBe('CLOSED');
  });

  it('refuses out-of-order steps with a Chinese message instead of corrupting the order', async () => {
    h = harness();
    const o = await h.service.session.acceptConsent('zh');
    await expect(h.service.generation.pick(o.id, 0)).rejects.toMatchObject({ code: 'VARIANT_UNAVAILABLE' });
    await expect(h.service.money.start(o.id, 'print', async () => ({ ready: true }))).rejects.toMatchObject({ code: 'BAD_STATE' });
    await expect(h.service.generation.startTry(o.id)).rejects.toMatchObject({ code: 'PHOTOS_NOT_READY', message: expect.stringMatching(/[\u4e00-\u9fa5]/) });
    expect(h.repo.order(o.id)?.state).toBe('created');
  });

  it('makes one try before payment and no "换一批" (a family that does not pay costs one image)', async () => {
    h = harness();
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'makeover', 'gugong', null);
    await h.service.session.addPhoto(o.id, await solidJpeg(3), 'camera');
    await h.service.generation.startTry(o.id);
    await until(() => h!.repo.order(o.id)?.state === 'generated', 'generated');
    await expect(h.service.generation.regenerate(o.id)).rejects.toMatchObject({ code: 'REGENERATE_AFTER_PAYMENT' });
    await h.service.session.abandon(o.id);
    expect(h.generator.calls).toBe(1);
  });
});

describe('operator reprint', () => {
  it('prints a delivered order again under a new job key, once per request', async () => {
    h = harness();
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'print', async () => ({ ready: true }));
    h.sim.confirm(tokenOf(h, orderId));
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(await h.service.delivery.reprint(orderId, 'admin')).toBe(true);
    expect(h.printer.submitted.map((j) => j.jobKey)).toEqual([`print-${orderId}`, `print-${orderId}.r1`]);
    expect(h.repo.order(orderId)?.state).toBe('delivered');
    const o2 = await h.service.session.acceptConsent('zh');
    expect(await h.service.delivery.reprint(o2.id, 'admin')).toBe(false); // nothing paid, nothing to print
  });
});

describe('AI budget', () => {
  it('says the day is sold out before any request, and forgives a round that produced nothing', async () => {
    let allowed = true;
    const forgiven: string[] = [];
    h = harness({
      aiBudget: {
        startGeneration: () => {
          if (!allowed) throw new KioskFailure('AI_DAILY_BUDGET', '今日名额已满，请明天再来');
        },
        forgiveGeneration: (id) => forgiven.push(id),
      },
    });
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'makeover', 'gugong', null);
    await h.service.session.addPhoto(o.id, await solidJpeg(4), 'camera');
    allowed = false;
    await expect(h.service.generation.startTry(o.id)).rejects.toMatchObject({ code: 'AI_DAILY_BUDGET' });
    expect(h.generator.calls).toBe(0);
    expect(h.repo.order(o.id)?.state).toBe('checked');

    // A round in which every request fails is not counted against the family.
    allowed = true;
    h.generator.generate = async (input) => input.indices.map((index) => ({ index, code: 'X', message: 'down', retryable: true }));
    await h.service.generation.startTry(o.id);
    await until(() => h!.repo.order(o.id)?.generation_status === 'failed', 'failed round');
    expect(h.repo.order(o.id)?.state).toBe('checked');
    expect(forgiven).toEqual([o.id]);
    expect((await h.service.session.view(o.id)).generation.message).toContain('不收费');
  });
});

describe('living photo (微动态) in delivery', () => {
  /** A stand-in renderer: the real one (ffmpeg) has its own tests; this checks the order flow around it. */
  const renderer = (fail: boolean, seen: { effect?: string; orderId?: string }) => ({
    name: 'fake-motion',
    async render(input: { outDir: string; effect: string; orderId?: string }) {
      seen.effect = input.effect;
      seen.orderId = input.orderId;
      await new Promise((r) => setTimeout(r, 50));
      if (fail) throw new Error('encoder crashed');
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(input.outDir, { recursive: true });
      const mp4Path = `${input.outDir}/living-photo.mp4`;
      writeFileSync(mp4Path, 'mp4');
      writeFileSync(`${input.outDir}/live.jpg`, 'jpg');
      writeFileSync(`${input.outDir}/live.mov`, 'mov');
      return { mp4Path, livePhoto: { jpgPath: `${input.outDir}/live.jpg`, movPath: `${input.outDir}/live.mov`, assetId: 'A' } };
    },
  });

  it('starts after payment, is shared beside the photo, and never holds up the print', async () => {
    const seen: { effect?: string; orderId?: string } = {};
    h = harness({ motion: renderer(false, seen) });
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'premium', async () => ({ ready: true }));
    h.sim.confirm(tokenOf(h, orderId));
    await pickAfterPayment(h, orderId, 1);
    await until(() => h!.repo.deliverable(orderId, 'motion')?.status === 'done', 'motion ready');
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(seen).toEqual({ effect: 'lanterns', orderId }); // 故宫 → lanterns
    const key = h.repo.order(orderId)!.share_key!;
    const { existsSync } = await import('node:fs');
    for (const f of ['photo.jpg', 'living.mp4', 'live.jpg', 'live.mov']) expect(existsSync(`${h.paths.share}/${key}/${f}`), f).toBe(true);
    expect((await h.service.session.view(orderId)).delivery?.motion?.status).toBe('ready');
  });

  it('a failed living photo leaves the print and the download delivered, and is flagged for the operator', async () => {
    h = harness({ motion: renderer(true, {}) });
    const orderId = await pickedOrder(h.service);
    await h.service.money.start(orderId, 'premium', async () => ({ ready: true }));
    h.sim.confirm(tokenOf(h, orderId));
    await pickAfterPayment(h, orderId);
    await until(() => h!.repo.deliverable(orderId, 'motion')?.status === 'failed', 'motion failed');
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.printer.submitted).toHaveLength(1);
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE order_id = ? AND action = 'motion_failed'").get(orderId)).toEqual({ n: 1 });
  });
});
