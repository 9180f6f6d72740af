// The free try is being made (one watermarked picture), then on to the packages with the try on
// screen (try, then buy: issue 15). With the free cap spent no try is made: straight to the packages.
import { useEffect } from 'react';
import { useFlow } from '../app/flow';
import { generationSettled, readyVariants } from '../app/orderMerge';
import { usePollOrder } from '../app/usePollOrder';
import { useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

/** Long enough to see the last picture land before the screen changes. */
const SETTLE_PAUSE_MS = 1200;

export function GeneratingScreen() {
  const t = useT();
  const order = useFlow((s) => s.order);
  const kiosk = getKiosk();
  usePollOrder(true);
  const retry = useAction(
    () => kiosk.invoke('generate:start', { orderId: order?.id ?? '' }),
    (o) => useFlow.getState().orderFrom('call', o),
  );

  const settled = order ? generationSettled(order) : false;
  const ready = order ? readyVariants(order) : 0;
  const failedAll = settled && ready === 0;
  const skipped = !!order?.freeBlocked && order.state === 'checked';

  useEffect(() => {
    if (skipped) {
      useFlow.getState().go('package');
      return;
    }
    if (!settled || ready === 0) return;
    const timer = setTimeout(() => useFlow.getState().go('package'), SETTLE_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [settled, ready, skipped]);

  const slots = Array.from({ length: Math.max(1, order?.variants.length ?? 0) }, (_, i) => order?.variants.find((v) => v.index === i) ?? { index: i, status: 'pending' as const });
  const done = slots.filter((v) => v.status !== 'pending').length;
  const failure = failedAll
    ? { code: 'GENERATION_FAILED', message: order?.generation.message || t('generating.failed'), retryable: true }
    : null;

  return (
    <Screen name="generating" title={t('generating.tryTitle')}>
      <p className="screen-sub">{t('generating.trySub')}</p>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={slots.length} aria-valuenow={done} data-testid="generating-progress">
        <div className="progress-fill" style={{ width: `${Math.max(6, (done / slots.length) * 100)}%` }} />
        <span className="progress-text">{t('generating.progress', { n: done, total: slots.length })}</span>
      </div>
      <div className="variant-grid variant-grid-one">
        {slots.map((v) => (
          <div key={v.index} className={`variant variant-${v.status}`} data-testid={`variant-${v.index}`} data-status={v.status}>
            {v.status === 'ready' && 'assetId' in v && v.assetId ? (
              <img src={kiosk.mediaUrl(v.assetId)} alt="" />
            ) : v.status === 'pending' ? (
              <div className="variant-wait">
                <span className="spinner spinner-large" aria-hidden />
              </div>
            ) : (
              <div className="variant-wait">{t('generating.variantFailed')}</div>
            )}
          </div>
        ))}
      </div>
      {failure && (
        <div className="center-row">
          <ErrorNote error={retry.error ?? failure} />
          <Button testId="generating-retry" onClick={() => void retry.run()} busy={retry.busy}>
            {t('generating.tryAgain')}
          </Button>
          <Button testId="generating-to-packages" variant="secondary" onClick={() => useFlow.getState().go('package')} disabled={retry.busy}>
            {t('package.title')}
          </Button>
        </div>
      )}
    </Screen>
  );
}
