// After "paid": the final picture, then each deliverable of the order (a row in `deliverables`,
// one handler per kind in ./deliverables). Progress is in those rows, so a restart resumes where
// it stopped; a handler stores its idempotency key (the print job key) before its side effect.
// This file owns what is per order: the plan, the order's state, the retry of a run that threw,
// and the refund when a deliverable that matters fails for good.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { OrderView } from '../../../shared/contract';
import { STATES } from '../../../shared/orderStates';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { tx } from '../store/db';
import { defaultTiming, type OrderDeps, type Timing } from './context';
import { DELIVERABLE_KINDS, makeHandlers, type DeliverableHandler, type Handlers } from './deliverables';
import { printJobKey } from './deliverables/print';
import { transition } from './stateMachine';

const log = logger('delivery');

export interface DeliveryHooks {
  changed(orderId: string): Promise<OrderView>;
  /** Delivery failed for good: give the money back. */
  refund(orderId: string, reason: string): Promise<void>;
}

export class DeliveryFlow {
  private readonly active = new Map<string, Promise<void>>();
  private readonly handlers: Handlers;
  private stopped = false;
  private readonly timing: Timing;

  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: DeliveryHooks,
  ) {
    this.timing = { ...defaultTiming, ...deps.timing };
    this.handlers = makeHandlers({ deps, changed: (orderId) => this.hooks.changed(orderId) });
  }

  /** paid → delivering, with the plan (one row per deliverable) written in the same transaction; then runs it. */
  start(orderId: string): void {
    if (this.stopped) return; // shutting down: the next start's reconciler resumes it
    const o = this.deps.repo.order(orderId);
    if (!o) return;
    if (o.state === 'paid') {
      const pkg = this.deps.catalog().packages.find((p) => p.id === o.package_id);
      const planned = DELIVERABLE_KINDS.flatMap((kind) => {
        const plan = this.handlers[kind].plan(orderId, pkg);
        return plan ? [{ kind, plan, handler: this.handlers[kind] }] : [];
      });
      const shared = planned.some((p) => p.handler.usesShare);
      transition(this.deps.db, orderId, 'delivering', {
        from: ['paid'],
        // Unguessable folder (128-bit random part): the download link cannot be enumerated.
        set: { share_key: shared ? `r/${randomBytes(16).toString('hex')}` : null },
        also: () => {
          for (const { kind, plan } of planned) this.deps.repo.putDeliverable(orderId, kind, plan);
          if (shared) this.deps.repo.addToken('download', orderId, this.deps.config.resultRetentionDays * 86400);
        },
      });
    }
    this.resume(orderId);
  }

  /** Runs (or continues) the delivery; one run per order at a time. */
  resume(orderId: string): Promise<void> {
    const running = this.active.get(orderId);
    if (running) return running;
    const run = this.run(orderId)
      .catch((e) => this.runFailed(orderId, e))
      .catch((e) => log.error('delivery.crashed', { orderId, error: e as Error }))
      .finally(() => this.active.delete(orderId));
    this.active.set(orderId, run);
    return run;
  }

  private async run(orderId: string): Promise<void> {
    const o = this.deps.repo.order(orderId);
    if (!o || o.state !== 'delivering') return;
    const finalPath = await this.ensureFinalImage(orderId);
    await this.hooks.changed(orderId);

    const run = { orderId, finalPath, shareKey: o.share_key };
    const awaited: Promise<{ handler: DeliverableHandler; ok: boolean }>[] = [];
    for (const row of this.deps.repo.deliverables(orderId)) {
      const handler = this.handlers[row.kind];
      if (!handler.due(row)) continue;
      const running = handler.run(row, run);
      // Background kinds (the living photo) never hold up the order; their failure is their own.
      if (handler.background) void running.catch((e) => log.warn('deliverable.crashed', { orderId, kind: row.kind, error: e as Error }));
      // The others run side by side: the print never waits for the upload, nor the upload for the print.
      else awaited.push(running.then((ok) => ({ handler, ok })));
    }
    const failed = (await Promise.all(awaited)).find((r) => !r.ok && r.handler.failsOrder);
    if (failed?.handler.failsOrder) return this.giveUp(orderId, failed.handler.failsOrder.reason, failed.handler.failsOrder.notice);
    // The download is already reachable (its page waits for the upload), so the order is delivered.
    transition(this.deps.db, orderId, 'delivered', { from: ['delivering'] });
    log.info('order.delivered', { orderId });
    await this.hooks.changed(orderId);
  }

  /** Whether a run of this order's delivery is in progress in this process. */
  isRunning(orderId: string): boolean {
    return this.active.has(orderId);
  }

  /**
   * A run that threw (a full disk while writing the picture, a file gone…): the order stays
   * `delivering` with the failure counted and a time for the next try, which the sweeper makes;
   * when the back-off is used up, the delivery has failed and the money goes back.
   */
  private async runFailed(orderId: string, e: unknown): Promise<void> {
    const o = this.deps.repo.order(orderId);
    if (!o || o.state !== 'delivering') throw e;
    const attempts = o.delivery_attempts + 1;
    const code = String((e as NodeJS.ErrnoException).code ?? (e as Error).name ?? 'Error').slice(0, 40);
    const backoff = this.timing.deliveryBackoffMs;
    if (attempts <= backoff.length && !this.stopped) {
      const retryAt = new Date(Date.now() + backoff[attempts - 1]!).toISOString();
      this.deps.repo.update(orderId, { delivery_attempts: attempts, delivery_retry_at: retryAt, delivery_error: code });
      log.warn('delivery.retry_later', { orderId, attempts, retryAt, code, error: e as Error });
      return;
    }
    if (this.stopped) {
      // Shutting down: count it, and let the next start's reconciler try again.
      this.deps.repo.update(orderId, { delivery_retry_at: new Date().toISOString(), delivery_error: code });
      return;
    }
    this.deps.repo.update(orderId, { delivery_attempts: attempts, delivery_retry_at: null, delivery_error: code });
    log.error('delivery.gave_up', { orderId, attempts, code, error: e as Error });
    this.deps.repo.audit('system', 'delivery_gave_up', orderId, { attempts, code });
    await this.giveUp(orderId, `delivery error ${code}`, '很抱歉，照片未能交付，款项将原路退回');
  }

  /** delivering → delivery_failed → refund_pending in one transaction, then the refund. */
  private async giveUp(orderId: string, reason: string, notice: string): Promise<void> {
    tx(this.deps.db, () => {
      transition(this.deps.db, orderId, 'delivery_failed', { from: ['delivering'], reason });
      transition(this.deps.db, orderId, 'refund_pending', { reason, set: { notice } });
    });
    await this.hooks.changed(orderId).catch(() => undefined);
    await this.hooks.refund(orderId, reason);
  }

  /**
   * The sweeper's part: runs the retries that are due, and resumes a `delivering` order nobody is
   * running (a run that died without a word). A retry time further ahead than the longest back-off
   * means the clock was set back: it is due now, so a clock jump never strands an order.
   */
  sweep(now = Date.now()): string[] {
    if (this.stopped) return [];
    const longest = Math.max(0, ...this.timing.deliveryBackoffMs);
    const resumed: string[] = [];
    for (const o of this.deps.repo.ordersIn(['delivering'])) {
      if (this.active.has(o.id)) continue;
      const at = o.delivery_retry_at ? Date.parse(o.delivery_retry_at) : null;
      const due = at === null ? true : at <= now || at - now > longest;
      if (!due) continue;
      resumed.push(o.id);
      void this.resume(o.id);
    }
    return resumed;
  }

  /** The operator's "try again now" for an order stuck in `delivering`. */
  async retryNow(orderId: string): Promise<void> {
    if (this.deps.repo.order(orderId)?.delivery_retry_at) this.deps.repo.update(orderId, { delivery_retry_at: null });
    this.deps.repo.audit('admin', 'delivery_retry', orderId, {});
    await this.resume(orderId);
  }

  /** The picked variant, unwatermarked, with the visible and implicit AIGC labels. */
  private async ensureFinalImage(orderId: string): Promise<string> {
    const o = this.deps.repo.order(orderId)!;
    if (o.final_asset_id) {
      const a = this.deps.repo.asset(o.final_asset_id);
      if (a && existsSync(a.path)) return a.path;
    }
    const v = this.deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === o.picked_index);
    const src = v?.result_asset_id ? this.deps.repo.asset(v.result_asset_id) : undefined;
    if (!src) throw new Error(`order ${orderId} has no picked result`);
    // The free package takes the try away as it was shown: watermarked (and screen-sized).
    const pkg = this.deps.catalog().packages.find((p) => p.id === o.package_id);
    const picture = pkg?.watermark ? await this.deps.watermarkPreview(readFileSync(src.path)) : readFileSync(src.path);
    const labelled = await this.deps.labelDelivered(picture, { orderId, provider: this.deps.generator.name });
    const path = join(this.deps.paths.results, orderId, 'final.jpg');
    writeFileAtomic(path, labelled);
    tx(this.deps.db, () => {
      const a = this.deps.repo.addAsset(orderId, 'final', path, 'image/jpeg');
      this.deps.repo.update(orderId, { final_asset_id: a.id });
    });
    return path;
  }

  /**
   * The operator's reprint (paper jam, a smudged copy): a new print job under a new key, for an
   * order that was delivered or whose print failed. The order's state does not change; the audit
   * log records it. Returns whether the new print completed.
   */
  async reprint(orderId: string, actor: string): Promise<boolean> {
    const o = this.deps.repo.order(orderId);
    if (!o || !o.final_asset_id || !STATES[o.state].reprintable) return false;
    const n = (this.deps.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE order_id = ? AND action = 'reprint'").get(orderId) as { n: number }).n + 1;
    this.deps.repo.audit(actor, 'reprint', orderId, { attempt: n });
    const copies = this.deps.repo.deliverable(orderId, 'print')?.quantity ?? 1;
    // The print row starts over under a new key (a package without a print gets one now).
    this.deps.repo.putDeliverable(orderId, 'print', { quantity: Math.max(1, copies), job_key: `${printJobKey(orderId)}.r${n}` });
    const ok = await this.handlers.print.print(orderId);
    await this.hooks.changed(orderId).catch(() => undefined);
    return ok;
  }

  /** In-flight deliveries, awaited at shutdown and by tests. */
  idle(): Promise<unknown> {
    return Promise.allSettled([...this.active.values()]);
  }

  stop(): void {
    this.stopped = true;
    for (const kind of DELIVERABLE_KINDS) this.handlers[kind].stop?.();
  }
}
