// After payment: the print's progress, the download QR, and any notice from main (e.g. a refund).
import { chime } from '../audio/cues';
import { useEffect } from 'react';
import { useFlow } from '../app/flow';
import { usePollOrder } from '../app/usePollOrder';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { QrImage } from '../components/QrImage';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';
import type { MessageKey } from '../i18n';
import { ChoosePanel } from './ChoosePanel';

const printKey: Record<'queued' | 'printing' | 'done' | 'failed', MessageKey> = {
  queued: 'deliver.printQueued',
  printing: 'deliver.printing',
  done: 'deliver.printed',
  failed: 'deliver.printFailed',
};

export function DeliverScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const order = useFlow((s) => s.order);
  const kiosk = getKiosk();
  const finished = order?.state === 'delivered' || order?.state === 'refunded';
  usePollOrder(!finished);

  const delivery = order?.delivery ?? null;
  const print = delivery?.print ?? null;
  const download = delivery?.download ?? null;
  const picked = order?.variants.find((v) => v.index === order.pickedIndex);
  // The paid picture once it is ready; the watermarked preview until then.
  const photoId = delivery?.photoAssetId ?? picked?.assetId;

  const printDone = print?.status === 'done';
  const contact = useFlow((s) => s.catalog?.settings.afterSalesContact);
  useEffect(() => {
    if (printDone) chime();
  }, [printDone]);

  return (
    <Screen
      name="deliver"
      title={t('deliver.title')}
      footer={
        <>
          {/* In the footer, never scrolled away by a tall print + download column: what to quote, whom to call. */}
          {!order?.choosing && order?.orderCode && (
            <p className="deliver-order" data-testid="deliver-order-code" data-code={order.orderCode}>
              {t('deliver.orderCode', { code: order.orderCode })}
              {contact ? ` · ${t('deliver.afterSales', { contact })}` : ''}
            </p>
          )}
          <Button testId="deliver-done" onClick={() => useFlow.getState().go('thanks')}>
            {t('deliver.done')}
          </Button>
        </>
      }
    >
      {order?.choosing ? <ChoosePanel /> : null}
      {!order?.choosing && (
      <div className="deliver-layout">
        {photoId && <img className="deliver-photo" data-testid="deliver-photo" src={kiosk.mediaUrl(photoId)} alt="" />}
        <div className="deliver-side">
          {print && (
            <div className={`print-status print-${print.status}`}>
              <p className="print-text" data-testid="deliver-print-status" data-status={print.status}>
                {t(printKey[print.status])}
              </p>
              {print.status !== 'done' && print.status !== 'failed' && (
                <div className="progress">
                  <div className="progress-fill" style={{ width: `${Math.max(5, print.progress * 100)}%` }} />
                </div>
              )}
              <p className="print-sub">
                {t('deliver.copies', { n: print.copies })}
                {print.message ? ` · ${print.message}` : ''}
              </p>
            </div>
          )}
          {download ? (
            <div className={`download-box${print ? ' is-compact' : ''}`}>
              <QrImage svg={download.qrSvg} testId="deliver-download-qr" alt={t('deliver.download')} data-url={download.url} />
              <p>{t('deliver.download')}</p>
              {/* A package's download page also makes the greeting card; the free take-away has none. */}
              {(order?.amountFen ?? 0) > 0 && (
                <p className="muted" data-testid="deliver-card-hint">
                  {t('deliver.cardHint')}
                </p>
              )}
              <p className="muted">
                {t('deliver.downloadExpires', { date: new Date(download.expiresAt).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB') })}
              </p>
            </div>
          ) : (
            !print && <p className="muted">{t('deliver.preparing')}</p>
          )}
          {delivery?.motion?.status === 'pending' && <p className="muted">{t('deliver.motionPending')}</p>}
          {order?.notice && (
            <p className="notice" data-testid="deliver-notice">
              {order.notice}
            </p>
          )}
        </div>
      </div>
      )}
    </Screen>
  );
}
