// The photo on the family's phone: the labelled picture uploaded to the order's share folder, and
// (OSS) a download page next to it that is the QR target and waits for the upload by itself.
import { logger } from '../../../infra/log';
import { orderCode } from '../view';
import type { DeliverableHandler, HandlerContext } from './handler';

const log = logger('delivery');

export function photoHandler({ deps, changed }: HandlerContext): DeliverableHandler {
  /** OSS: publish the page once; without it the kiosk's own phone link is shown (it works on the mall Wi-Fi). */
  async function publishPage(orderId: string, shareKey: string, finalPath: string): Promise<void> {
    const publish = deps.share.publishDownloadPage?.bind(deps.share);
    if (!publish || deps.repo.deliverable(orderId, 'photo')?.url) return;
    const token = deps.repo.tokenFor(orderId, 'download');
    try {
      const url = await publish(shareKey, {
        blessing: deps.config.blessing,
        expiresAt: new Date(token?.expires_at ?? Date.now() + deps.config.resultRetentionDays * 86400_000),
        living: deps.repo.deliverable(orderId, 'motion') !== undefined,
        orderCode: orderCode(orderId),
        afterSalesContact: deps.config.sale.afterSalesContact || undefined,
        // The greeting card, as on the LAN share, only for paid orders (the free picture is watermarked).
        cardPhotoPath: (deps.repo.order(orderId)?.amount_fen ?? 0) > 0 ? finalPath : undefined,
      });
      deps.repo.setDeliverable(orderId, 'photo', { url });
    } catch (e) {
      log.warn('share.page_failed', { orderId, error: e as Error });
    }
  }

  return {
    kind: 'photo',
    usesShare: true,
    background: false,
    plan: (_orderId, pkg) => ((pkg?.download ?? true) ? {} : null),
    due: (row) => row.status !== 'done',
    async run(_row, { orderId, finalPath, shareKey }) {
      if (!shareKey) return true;
      await publishPage(orderId, shareKey, finalPath);
      try {
        await deps.share.put(`${shareKey}/photo.jpg`, finalPath, 'image/jpeg');
        deps.repo.setDeliverable(orderId, 'photo', { status: 'done' });
        return true;
      } catch (e) {
        // The phone page keeps waiting; the share adapter's own queue retries the upload, and the
        // next run of the delivery (restart, sweeper) tries again.
        log.warn('share.failed', { orderId, error: e as Error });
        deps.repo.setDeliverable(orderId, 'photo', { status: 'failed' });
        return false;
      } finally {
        await changed(orderId).catch(() => undefined);
      }
    },
  };
}
