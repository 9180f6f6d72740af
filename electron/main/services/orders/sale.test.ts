// Try, then buy (issue 15): one watermarked try before payment; paying unlocks the other three
// (尊享: four from the enhanced model) and the family's pick; the free take-away; the free cap;
// a crash while the paid pictures are being made.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, pickAfterPayment, solidJpeg, until, type Harness } from '../../testing/orders';
import type { OrderService } from './index';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function tried(s: OrderService): Promise<string> {
  const o = await s.session.acceptConsent('zh');
  await s.session.chooseProduct(o.id, 'makeover', 'gugong', null);
  await s.session.addPhoto(o.id, await solidJpeg(1), 'camera');
  await s.generation.startTry(o.id);
  await until(() => s.deps.repo.order(o.id)?.state === 'generated' || s.deps.repo.order(o.id)?.free_blocked, 'the try (or its refusal)');
  return o.id;
}

const pay = (h: Harness, orderId: string) => {
  const { token } = h.db.prepare("SELECT token FROM sim_trades t JOIN payments p ON p.out_trade_no = t.out_trade_no WHERE p.order_id = ? AND p.state = 'open'").get(orderId) as { token: string };
  expect(h.sim.confirm(token)).toBe('SUCCESS');
};

const motionRenderer = (seen: { effect?: string }) => ({
  name: 'fake-motion',
  async render(input: { outDir: string; effect: string }) {
    seen.effect = input.effect;
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(input.outDir, { recursive: true });
    writeFileSync(`${input.outDir}/living.mp4`, 'mp4');
    return { mp4Path: `${input.outDir}/living.mp4`, livePhoto: null };
  },
});

describe('try, then buy', () => {
  it('shows one watermarked try; ¥9.9 makes three more after payment and delivers the one the family picks, with its effect', async () => {
    const seen: { effect?: string } = {};
    let watermarked = 0;
    h = harness({ motion: motionRenderer(seen), watermarkPreview: async (img) => (watermarked++, img) });
    const s = h.service;
    const orderId = await tried(s);
    const before = await s.session.view(orderId);
    expect(before.variants).toHaveLength(1);
    expect(h.generator.calls).toBe(1);
    expect(watermarked).toBe(1); // the try is shown watermarked

    await s.money.start(orderId, 'four', async () => ({ ready: true }));
    expect(h.generator.calls).toBe(1); // nothing more is made before the money is in
    pay(h, orderId);
    await pickAfterPayment(h, orderId, 2, 'snow');
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    const view = await s.session.view(orderId);
    expect(view.variants.map((v) => v.status)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(h.generator.calls).toBe(4); // the try's slot is one of the four
    expect(watermarked).toBe(1); // paid screen copies and the delivered picture are clean
    expect(view.pickedIndex).toBe(2);
    expect(view.motionEffect).toBe('snow');
    await until(() => h!.repo.deliverable(orderId, 'motion')?.status === 'done', 'living photo');
    expect(seen.effect).toBe('snow');
    expect(view.orderCode).toMatch(/^[A-Z0-9_-]{6}$/);
  });

  it('尊享 makes its four with the enhanced model', async () => {
    h = harness();
    const orderId = await tried(h.service);
    await h.service.money.start(orderId, 'premium', async () => ({ ready: true }));
    pay(h, orderId);
    await pickAfterPayment(h, orderId, 3);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.generator.models).toEqual(['standard', 'enhanced', 'enhanced', 'enhanced', 'enhanced']);
  });

  it('the print carries the short order code and the operator’s after-sales contact', async () => {
    const lines: string[] = [];
    h = harness({
      printLayout: async (o) => {
        lines.push(o.dateLine ?? '');
        const { writeFileSync } = await import('node:fs');
        writeFileSync(o.outPath, '%PDF-1.4 fake');
        return { pdfPath: o.outPath, widthIn: 6, heightIn: 4 };
      },
    });
    h.config.sale.afterSalesContact = '客服电话 400-800-1234';
    const orderId = await tried(h.service);
    await h.service.money.start(orderId, 'premium', async () => ({ ready: true }));
    pay(h, orderId);
    await pickAfterPayment(h, orderId, 0);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    const code = (await h.service.session.view(orderId)).orderCode!;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`订单 ${code}`);
    expect(lines[0]).toContain('客服电话 400-800-1234');
  });

  it('the free package takes the try away watermarked, with no payment and nothing more generated', async () => {
    let watermarked = 0;
    h = harness({ watermarkPreview: async (img) => (watermarked++, img) });
    const orderId = await tried(h.service);
    const v = await h.service.money.start(orderId, 'free', async () => ({ ready: true }));
    expect(v.payment?.free).toBe(true);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.generator.calls).toBe(1);
    expect(watermarked).toBe(2); // the try on screen, and the delivered picture
    expect(h.repo.payments(orderId)).toHaveLength(0);
  });

  it('a family that walks away after the try cost one image', async () => {
    h = harness();
    const orderId = await tried(h.service);
    await h.service.money.start(orderId, 'four', async () => ({ ready: true }));
    await h.service.money.cancel(orderId);
    await h.service.session.abandon(orderId);
    expect(h.generator.calls).toBe(1);
  });

  it('nobody picks: the try they saw is delivered after the pick timeout', async () => {
    h = harness();
    h.config.sale.pickTimeoutSec = 0.1;
    const orderId = await tried(h.service);
    await h.service.money.start(orderId, 'four', async () => ({ ready: true }));
    pay(h, orderId);
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered');
    expect(h.repo.order(orderId)?.picked_index).toBe(0);
  });
});

describe('the free cap', () => {
  it('after the day’s budget no try is made, the free package says so, and the paid ones still sell', async () => {
    h = harness();
    h.config.sale.freeDailyBudget = 1;
    await tried(h.service);
    expect(h.service.generation.free.usedToday()).toBe(1);
    const second = await tried(h.service);
    const v = await h.service.session.view(second);
    expect(v.state).toBe('checked');
    expect(v.freeBlocked).toBe('FREE_DAILY_SPENT');
    expect(h.generator.calls).toBe(1);
    await expect(h.service.money.start(second, 'free', async () => ({ ready: true }))).rejects.toMatchObject({ code: 'FREE_UNAVAILABLE' });
    await h.service.money.start(second, 'four', async () => ({ ready: true }));
    pay(h, second);
    await pickAfterPayment(h, second, 1);
    await until(() => h!.repo.order(second)?.state === 'delivered', 'delivered');
    expect(h.generator.calls).toBe(5); // four for the paying family, none free
  });

  it('a cool-down between two free tries', async () => {
    h = harness();
    h.config.sale.freeCooldownSec = 60;
    await tried(h.service);
    const second = await tried(h.service);
    expect((await h.service.session.view(second)).freeBlocked).toBe('FREE_COOLDOWN');
  });

  it('a try that produced nothing gives its place back', async () => {
    h = harness();
    h.config.sale.freeDailyBudget = 1;
    h.generator.generate = async (input) => input.indices.map((index) => ({ index, code: 'X', message: 'down', retryable: true }));
    const o = await h.service.session.acceptConsent('zh');
    await h.service.session.chooseProduct(o.id, 'makeover', 'gugong', null);
    await h.service.session.addPhoto(o.id, await solidJpeg(1), 'camera');
    await h.service.generation.startTry(o.id);
    await until(() => h!.repo.order(o.id)?.generation_status === 'failed', 'failed try');
    expect(h.service.generation.free.usedToday()).toBe(0);
  });
});

describe('crash while the paid pictures are made', () => {
  it('a restart makes the missing slots, takes the try and delivers once', async () => {
    h = harness();
    const orderId = await tried(h.service);
    // The paid round's rows are written, the AI has not answered: the process dies.
    const slow = h.generator.generate.bind(h.generator);
    h.generator.generate = () => new Promise(() => undefined);
    await h.service.money.start(orderId, 'four', async () => ({ ready: true }));
    pay(h, orderId);
    await until(() => h!.repo.variants(orderId, 2).length === 4, 'paid round written');
    h.generator.generate = slow;
    const s2 = h.restart();
    await s2.reconcile();
    await until(() => h!.repo.order(orderId)?.state === 'delivered', 'delivered after restart');
    expect(h.repo.variants(orderId, 2).map((v) => v.status)).toEqual(['ready', 'ready', 'ready', 'ready']);
    expect(h.repo.order(orderId)?.picked_index).toBe(0);
    expect(h.repo.payments(orderId)).toHaveLength(1);
  });
});
