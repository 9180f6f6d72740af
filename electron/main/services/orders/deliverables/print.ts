// The print, through the spooler. Each attempt has its own job key, stored in the row before the
// spooler hears of it; after a crash the same key is asked again and the spooler returns that
// job's outcome instead of printing it a second time. A failed attempt is retried once under a
// new key; a print that still fails refunds the order (the photo stays downloadable).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../../../infra/log';
import { downloadUrl, orderCode } from '../view';
import type { DeliverableHandler, HandlerContext } from './handler';

const log = logger('delivery');
const PRINT_ATTEMPTS = 2;

export interface PrintHandler extends DeliverableHandler {
  /** Prints the order's print row as it stands (a new row from a reprint, or a resumed one). */
  print(orderId: string): Promise<boolean>;
}

/** The first attempt's job key; later attempts add .aN, reprints .rN. */
export const printJobKey = (orderId: string): string => `print-${orderId}`;

export function printHandler({ deps, changed }: HandlerContext): PrintHandler {
  const row = (orderId: string) => deps.repo.deliverable(orderId, 'print')!;

  async function renderPrint(orderId: string, pdfPath: string): Promise<void> {
    const final = deps.repo.asset(deps.repo.order(orderId)!.final_asset_id!)!;
    const token = deps.repo.tokenFor(orderId, 'download');
    await deps.printLayout({
      image: readFileSync(final.path),
      outPath: pdfPath,
      blessing: deps.config.blessing,
      // The short order code and the operator's after-sales contact go on the print (issue 15).
      dateLine: [new Date().toLocaleDateString('zh-CN'), `订单 ${orderCode(orderId)}`, deps.config.sale.afterSalesContact].filter(Boolean).join(' · '),
      qrText: token ? downloadUrl(deps, token.token) : undefined,
    });
  }

  async function print(orderId: string): Promise<boolean> {
    let d = row(orderId);
    const base = (d.job_key ?? printJobKey(orderId)).replace(/\.a\d+$/, '');
    const pdfPath = join(deps.paths.prints, `${base}.pdf`);
    for (;;) {
      if (d.status !== 'working') {
        if (d.attempts >= PRINT_ATTEMPTS) break;
        const attempt = d.attempts + 1;
        // The key is committed before the spooler is asked: a crash after this line re-asks the same key.
        deps.repo.setDeliverable(orderId, 'print', { status: 'working', attempts: attempt, job_key: attempt === 1 ? base : `${base}.a${attempt}` });
        d = row(orderId);
        await changed(orderId);
      }
      try {
        if (!existsSync(pdfPath)) await renderPrint(orderId, pdfPath);
        const outcome = await deps.printer.print({ jobKey: d.job_key!, pdfPath, copies: d.quantity, media: deps.printMedia });
        if (outcome.ok) {
          deps.repo.setDeliverable(orderId, 'print', { status: 'done', external_ref: outcome.systemJobId, message: null });
          log.info('print.done', { orderId, jobKey: d.job_key });
          return true;
        }
        log.warn('print.job_failed', { orderId, jobKey: d.job_key, code: outcome.error?.code });
        deps.repo.setDeliverable(orderId, 'print', { status: 'pending', message: outcome.error?.message ?? '打印机出了点问题，正在重试' });
      } catch (e) {
        log.warn('print.error', { orderId, error: e as Error });
        deps.repo.setDeliverable(orderId, 'print', { status: 'pending', message: '打印机出了点问题，正在重试' });
      }
      await changed(orderId).catch(() => undefined);
      d = row(orderId);
    }
    deps.repo.setDeliverable(orderId, 'print', { status: 'failed', message: '打印失败' });
    return false;
  }

  return {
    kind: 'print',
    usesShare: false,
    background: false,
    failsOrder: { reason: 'print failed', notice: '很抱歉，打印失败，款项将原路退回；照片仍可扫码下载' },
    plan: (orderId, pkg) => (pkg?.print ? { quantity: Math.max(1, pkg.copies), job_key: printJobKey(orderId) } : null),
    due: (r) => r.status !== 'done',
    run: (r) => print(r.order_id),
    print,
  };
}
