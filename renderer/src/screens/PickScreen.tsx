// 1 of 4: tap to select and enlarge, confirm; one (configurable) new set is allowed.
import { useState } from 'react';
import { useFlow } from '../app/flow';
import { useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

export function PickScreen() {
  const t = useT();
  const order = useFlow((s) => s.order);
  const kiosk = getKiosk();
  const orderId = order?.id ?? '';
  const [selected, setSelected] = useState<number | null>(null);
  const [zoom, setZoom] = useState(false);
  const variants = order?.variants ?? [];
  const chosen = variants.find((v) => v.index === selected);

  const pick = useAction(
    (index: number) => kiosk.invoke('order:pick-variant', { orderId, index }),
    (o) => {
      useFlow.getState().orderFrom('call', o);
      useFlow.getState().go('package');
    },
  );
  const regenerate = useAction(
    () => kiosk.invoke('generate:regenerate', { orderId }),
    (o) => {
      useFlow.getState().orderFrom('call', o);
      useFlow.getState().go('generating');
    },
  );
  const left = order?.generation.regenerationsLeft ?? 0;
  const busy = pick.busy || regenerate.busy;
  const confirm = (
    <Button testId="pick-confirm" onClick={() => selected !== null && void pick.run(selected)} busy={pick.busy} disabled={selected === null || regenerate.busy}>
      {t('pick.confirm')}
    </Button>
  );

  return (
    <Screen
      name="pick"
      title={t('pick.title')}
      footer={
        <>
          {left > 0 && (
            <Button testId="regenerate" variant="secondary" onClick={() => void regenerate.run()} busy={regenerate.busy} disabled={pick.busy}>
              {t('pick.regenerate', { n: left })}
            </Button>
          )}
          {!zoom && confirm}
        </>
      }
    >
      <p className="screen-sub">
        {t('pick.tapToZoom')} · {t('pick.preview')}
      </p>
      <div className="variant-grid variant-grid-pick">
        {variants.map((v) =>
          v.status === 'ready' && v.assetId ? (
            <button
              key={v.index}
              type="button"
              className={`variant variant-ready${v.index === selected ? ' is-selected' : ''}`}
              data-testid={`variant-${v.index}`}
              aria-pressed={v.index === selected}
              disabled={busy}
              onClick={() => {
                setSelected(v.index);
                setZoom(true);
              }}
            >
              <img src={kiosk.mediaUrl(v.assetId)} alt="" />
            </button>
          ) : (
            <div key={v.index} className="variant variant-failed" data-testid={`variant-${v.index}`} data-status={v.status}>
              <div className="variant-wait">{t('generating.variantFailed')}</div>
            </div>
          ),
        )}
      </div>
      <ErrorNote error={pick.error} onRetry={pick.retry} busy={pick.busy} />
      <ErrorNote error={regenerate.error} onRetry={regenerate.retry} busy={regenerate.busy} />
      {zoom && chosen?.assetId && (
        <div className="modal modal-zoom" data-testid="pick-zoom">
          <div className="modal-card modal-card-zoom">
            <img src={kiosk.mediaUrl(chosen.assetId)} alt="" className="zoom-img" />
            <div className="modal-actions">
              <Button testId="pick-zoom-close" variant="secondary" onClick={() => setZoom(false)} disabled={pick.busy}>
                {t('common.back')}
              </Button>
              {confirm}
            </div>
          </div>
        </div>
      )}
    </Screen>
  );
}
