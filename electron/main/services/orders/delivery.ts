// After "paid": the final picture, the phone download, the print, the living photo.
// Each step's progress is in the deliveries row, so a restart resumes where it stopped: the
// print job key is stored before the job is submitted and looked up before submitting again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { OrderView } from '../../../shared/contract';
import { STATES } from '../../../shared/orderStates';
import { writeFileAtomic } from '../../infra/files';
import { logger } from '../../infra/log';
import { existingMotionLayers, type MotionLayerPaths } from '../motion/layers';
import { tx } from '../store/db';
import { defaultTiming, facesOf, type OrderDeps, type Timing } from './context';
import { transition } from './stateMachine';
import { downloadUrl, orderCode } from './view';

const log = logger('delivery');
const PRINT_ATTEMPTS = 2;
/** The living photo's festive effect per style; unknown → the motion renderer's configured default. */
const STYLE_EFFECTS: Record<string, string> = { gugong: 'lanterns', hongmu: 'lanterns', xinzhongshi: 'fu', oushi: 'snow', guochao: 'fireworks' };

export interface DeliveryHooks {
  changed(orderId: string): Promise<OrderView>;
  /** Delivery failed for good: give the money back. */
  refund(orderId: string, reason: string): Promise<void>;
}

export class DeliveryFlow {
  private readonly active = new Map<string, Promise<void>>();
  private readonly motionRuns = new Map<string, AbortController>();
  private stopped = false;
  private readonly timing: Timing;

  constructor(
    private readonly deps: OrderDeps,
    private readonly hooks: DeliveryHooks,
  ) {
    this.timing = { ...defaultTiming, ...deps.timing };
  }

  /** paid → delivering, with the plan written in the same transaction; then runs it. */
  start(orderId: string): void {
    if (this.stopped) return; // shutting down: the next start's reconciler resumes it
    const o = this.deps.repo.order(orderId);
    if (!o) return;
    if (o.state === 'paid') {
      const pkg = this.deps.catalog().packages.find((p) => p.id === o.package_id);
      const print = pkg?.print ?? false;
      const download = pkg?.download ?? true;
      const motion = (pkg?.motion ?? false) && this.deps.motion !== null;
      transition(this.deps.db, orderId, 'delivering', {
        from: ['paid'],
        also: () => {
          this.deps.repo.insertDelivery({
            order_id: orderId,
            result_asset_id: null,
            print_wanted: print ? 1 : 0,
            print_copies: print ? Math.max(1, pkg?.copies ?? 1) : 0,
            print_job_key: print ? `print-${orderId}` : null,
            print_system_job_id: null,
            print_status: print ? 'queued' : 'none',
            print_attempts: 0,
            print_message: null,
            download_wanted: download ? 1 : 0,
            // Unguessable object key (128-bit random part): the download link cannot be enumerated.
            share_key: download || motion ? `r/${randomBytes(16).toString('hex')}` : null,
            share_status: download ? 'pending' : 'none',
            motion_wanted: motion ? 1 : 0,
            motion_status: motion ? 'pending' : 'none',
          });
          if (download || motion) this.deps.repo.addToken('download', orderId, this.deps.config.resultRetentionDays * 86400);
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
    await this.ensureFinalImage(orderId);
    await this.hooks.changed(orderId);

    await this.publishDownloadPage(orderId);
    const d = this.deps.repo.delivery(orderId)!;
    if (d.motion_wanted && d.motion_status === 'pending') void this.makeMotion(orderId);
    // The print never waits for the upload, and the upload never waits for the print.
    const share = d.download_wanted && d.share_status !== 'done' ? this.shareResult(orderId) : Promise.resolve(true);
    const print = d.print_wanted && d.print_status !== 'done' ? this.print(orderId) : Promise.resolve(true);
    const [, printed] = await Promise.all([share, print]);

    if (!printed) return this.giveUp(orderId, 'print failed', '很抱歉，打印失败，款项将原路退回；照片仍可扫码下载');
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
    const d = this.deps.repo.delivery(orderId);
    if (!o || !d || o.state !== 'delivering') throw e;
    const attempts = d.attempts + 1;
    const code = String((e as NodeJS.ErrnoException).code ?? (e as Error).name ?? 'Error').slice(0, 40);
    const backoff = this.timing.deliveryBackoffMs;
    if (attempts <= backoff.length && !this.stopped) {
      const retryAt = new Date(Date.now() + backoff[attempts - 1]!).toISOString();
      this.deps.repo.setDelivery(orderId, { attempts, retry_at: retryAt, last_error: code });
      log.warn('delivery.retry_later', { orderId, attempts, retryAt, code, error: e as Error });
      return;
    }
    if (this.stopped) {
      // Shutting down: count it, and let the next start's reconciler try again.
      this.deps.repo.setDelivery(orderId, { attempts: d.attempts, retry_at: new Date().toISOString(), last_error: code });
      return;
    }
    this.deps.repo.setDelivery(orderId, { attempts, retry_at: null, last_error: code });
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
      const d = this.deps.repo.delivery(o.id);
      const at = d?.retry_at ? Date.parse(d.retry_at) : null;
      const due = at === null ? true : at <= now || at - now > longest;
      if (!due) continue;
      resumed.push(o.id);
      void this.resume(o.id);
    }
    return resumed;
  }

  /** The operator's "try again now" for an order stuck in `delivering`. */
  async retryNow(orderId: string): Promise<void> {
    const d = this.deps.repo.delivery(orderId);
    if (d?.retry_at) this.deps.repo.setDelivery(orderId, { retry_at: null });
    this.deps.repo.audit('admin', 'delivery_retry', orderId, {});
    await this.resume(orderId);
  }

  /** The picked variant, unwatermarked, with the visible and implicit AIGC labels. */
  private async ensureFinalImage(orderId: string): Promise<string> {
    const d = this.deps.repo.delivery(orderId)!;
    if (d.result_asset_id) {
      const a = this.deps.repo.asset(d.result_asset_id);
      if (a && existsSync(a.path)) return a.path;
    }
    const o = this.deps.repo.order(orderId)!;
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
      this.deps.repo.setDelivery(orderId, { result_asset_id: a.id });
    });
    return path;
  }

  /** OSS: the static page next to the files is the QR target; it waits for the upload by itself. */
  private async publishDownloadPage(orderId: string): Promise<void> {
    const d = this.deps.repo.delivery(orderId)!;
    const publish = this.deps.share.publishDownloadPage?.bind(this.deps.share);
    if (!publish || d.download_url || !d.share_key || !d.download_wanted) return;
    const token = this.deps.repo.tokenFor(orderId, 'download');
    try {
      const url = await publish(d.share_key, {
        blessing: this.deps.config.blessing,
        expiresAt: new Date(token?.expires_at ?? Date.now() + this.deps.config.resultRetentionDays * 86400_000),
        living: d.motion_wanted === 1,
        orderCode: orderCode(orderId),
        afterSalesContact: this.deps.config.sale.afterSalesContact || undefined,
      });
      this.deps.repo.setDelivery(orderId, { download_url: url });
    } catch (e) {
      // Without the page the kiosk's own phone link is shown instead (it works on the mall Wi-Fi).
      log.warn('share.page_failed', { orderId, error: e as Error });
    }
  }

  private async shareResult(orderId: string): Promise<boolean> {
    const d = this.deps.repo.delivery(orderId)!;
    const final = this.deps.repo.asset(d.result_asset_id!)!;
    try {
      await this.deps.share.put(`${d.share_key}/photo.jpg`, final.path, 'image/jpeg');
      this.deps.repo.setDelivery(orderId, { share_status: 'done' });
      return true;
    } catch (e) {
      // The phone page keeps waiting; the share adapter's own queue retries the upload.
      log.warn('share.failed', { orderId, error: e as Error });
      this.deps.repo.setDelivery(orderId, { share_status: 'failed' });
      return false;
    } finally {
      await this.hooks.changed(orderId).catch(() => undefined);
    }
  }

  /**
   * Prints through the spooler. Each attempt has its own job key, stored before the spooler hears
   * of it; after a crash the same key is asked again and the spooler returns that job's outcome
   * instead of printing it a second time. A failed attempt is retried once under a new key.
   */
  private async print(orderId: string): Promise<boolean> {
    let d = this.deps.repo.delivery(orderId)!;
    const base = (d.print_job_key ?? `print-${orderId}`).replace(/\.a\d+$/, '');
    const pdfPath = join(this.deps.paths.prints, `${base}.pdf`);
    for (;;) {
      if (d.print_status !== 'printing') {
        if (d.print_attempts >= PRINT_ATTEMPTS) break;
        const attempt = d.print_attempts + 1;
        this.deps.repo.setDelivery(orderId, {
          print_status: 'printing',
          print_attempts: attempt,
          print_job_key: attempt === 1 ? base : `${base}.a${attempt}`,
        });
        d = this.deps.repo.delivery(orderId)!;
        await this.hooks.changed(orderId);
      }
      try {
        if (!existsSync(pdfPath)) await this.renderPrint(orderId, pdfPath);
        const outcome = await this.deps.printer.print({
          jobKey: d.print_job_key!,
          pdfPath,
          copies: d.print_copies,
          media: this.deps.printMedia,
        });
        if (outcome.ok) {
          this.deps.repo.setDelivery(orderId, { print_status: 'done', print_system_job_id: outcome.systemJobId, print_message: null });
          log.info('print.done', { orderId, jobKey: d.print_job_key });
          return true;
        }
        log.warn('print.job_failed', { orderId, jobKey: d.print_job_key, code: outcome.error?.code });
        this.deps.repo.setDelivery(orderId, { print_status: 'queued', print_message: outcome.error?.message ?? '打印机出了点问题，正在重试' });
      } catch (e) {
        log.warn('print.error', { orderId, error: e as Error });
        this.deps.repo.setDelivery(orderId, { print_status: 'queued', print_message: '打印机出了点问题，正在重试' });
      }
      await this.hooks.changed(orderId).catch(() => undefined);
      d = this.deps.repo.delivery(orderId)!;
    }
    this.deps.repo.setDelivery(orderId, { print_status: 'failed', print_message: '打印失败' });
    return false;
  }

  private async renderPrint(orderId: string, pdfPath: string): Promise<void> {
    const d = this.deps.repo.delivery(orderId)!;
    const final = this.deps.repo.asset(d.result_asset_id!)!;
    const token = this.deps.repo.tokenFor(orderId, 'download');
    await this.deps.printLayout({
      image: readFileSync(final.path),
      outPath: pdfPath,
      blessing: this.deps.config.blessing,
      // The short order code and the operator's after-sales contact go on the print (issue 15).
      dateLine: [new Date().toLocaleDateString('zh-CN'), `订单 ${orderCode(orderId)}`, this.deps.config.sale.afterSalesContact].filter(Boolean).join(' · '),
      qrText: token ? downloadUrl(this.deps, token.token) : undefined,
    });
  }

  /**
   * The picked variant's layers (scene without the people, still mask), when its generator made
   * them and the delivered picture is that variant at full size: a watermarked (free) picture
   * keeps the clip made from the picture itself, so the clip is never cleaner than the photo.
   */
  private motionLayersOf(orderId: string): MotionLayerPaths | undefined {
    const o = this.deps.repo.order(orderId);
    if (!o || this.deps.catalog().packages.find((p) => p.id === o.package_id)?.watermark !== false) return undefined;
    const v = this.deps.repo.variants(orderId, o.generation_round).find((x) => x.idx === o.picked_index);
    const src = v?.result_asset_id ? this.deps.repo.asset(v.result_asset_id) : undefined;
    return (src && existingMotionLayers(src.path)) ?? undefined;
  }

  /** The living photo, in the background: its failure never holds up the print or the photo download. */
  private async makeMotion(orderId: string): Promise<void> {
    const motion = this.deps.motion;
    if (!motion || this.motionRuns.has(orderId)) return;
    const ctl = new AbortController();
    this.motionRuns.set(orderId, ctl);
    try {
      const d = this.deps.repo.delivery(orderId)!;
      const final = this.deps.repo.asset(d.result_asset_id!)!;
      const faces = await this.deps.checks.detectFaces(readFileSync(final.path)).catch(() => facesOf('[]'));
      const outDir = join(this.deps.paths.results, orderId, 'motion');
      const ord = this.deps.repo.order(orderId);
      const style = ord?.style_id ?? '';
      // The family's chosen effect (pick screen), else the style's.
      const effect = ord?.motion_effect ?? STYLE_EFFECTS[style] ?? '';
      const input = { imagePath: final.path, faces, effect, outDir, signal: ctl.signal, orderId, layers: this.motionLayersOf(orderId) };
      // One more try after a failure (a busy machine can hit the renderer's time limit once).
      const out = await motion.render(input).catch((e: unknown) => {
        if (ctl.signal.aborted) throw e;
        log.warn('motion.retry', { orderId, error: e as Error });
        return motion.render(input);
      });
      tx(this.deps.db, () => {
        this.deps.repo.addAsset(orderId, 'motion', out.mp4Path, 'video/mp4');
        if (out.livePhoto) {
          this.deps.repo.addAsset(orderId, 'livephoto_jpg', out.livePhoto.jpgPath, 'image/jpeg');
          this.deps.repo.addAsset(orderId, 'livephoto_mov', out.livePhoto.movPath, 'video/quicktime');
        }
        this.deps.repo.setDelivery(orderId, { motion_status: 'ready' });
      });
      if (d.share_key) {
        await this.deps.share.put(`${d.share_key}/living.mp4`, out.mp4Path, 'video/mp4');
        if (out.livePhoto) {
          await this.deps.share.put(`${d.share_key}/live.jpg`, out.livePhoto.jpgPath, 'image/jpeg');
          await this.deps.share.put(`${d.share_key}/live.mov`, out.livePhoto.movPath, 'video/quicktime');
        }
      }
      log.info('motion.ready', { orderId });
    } catch (e) {
      log.warn('motion.failed', { orderId, error: e as Error });
      this.deps.repo.setDelivery(orderId, { motion_status: 'failed' });
      this.deps.repo.audit('system', 'motion_failed', orderId, {});
    } finally {
      this.motionRuns.delete(orderId);
      await this.hooks.changed(orderId).catch(() => undefined);
    }
  }

  /**
   * The operator's reprint (paper jam, a smudged copy): a new print job under a new key, for an
   * order that was delivered or whose print failed. The order's state does not change; the audit
   * log records it. Returns whether the new print completed.
   */
  async reprint(orderId: string, actor: string): Promise<boolean> {
    const o = this.deps.repo.order(orderId);
    const d = this.deps.repo.delivery(orderId);
    if (!o || !d || !d.result_asset_id || !STATES[o.state].reprintable) return false;
    const n = (this.deps.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE order_id = ? AND action = 'reprint'").get(orderId) as { n: number }).n + 1;
    this.deps.repo.audit(actor, 'reprint', orderId, { attempt: n });
    this.deps.repo.setDelivery(orderId, {
      print_wanted: 1,
      print_copies: Math.max(1, d.print_copies),
      print_job_key: `print-${orderId}.r${n}`,
      print_system_job_id: null,
      print_status: 'queued',
      print_attempts: 0,
      print_message: null,
    });
    const ok = await this.print(orderId);
    await this.hooks.changed(orderId).catch(() => undefined);
    return ok;
  }

  /** In-flight deliveries, awaited at shutdown and by tests. */
  idle(): Promise<unknown> {
    return Promise.allSettled([...this.active.values()]);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.motionRuns.values()) c.abort();
  }
}
