// After payment of a four-picture package (try, then buy): the other pictures arrive, the family
// taps the one they want (and, when the package has 微动态, its effect). Nobody choosing is fine:
// main takes the try after sale.pickTimeoutSec. Shown by the deliver screen while order.choosing.
import { useState } from 'react';
import type { MotionEffect } from '../../../electron/shared/contract';
import { useFlow } from '../app/flow';
import { useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { getKiosk } from '../platform/bridge';
import type { MessageKey } from '../i18n';

const EFFECTS: readonly MotionEffect[] = ['fireworks', 'lanterns', 'snow', 'fu'];

export function ChoosePanel() {
  const t = useT();
  const order = useFlow((s) => s.order);
  const pkg = useFlow((s) => s.catalog?.packages.find((p) => p.id === s.order?.packageId) ?? null);
  const kiosk = getKiosk();
  const [selected, setSelected] = useState<number | null>(null);
  const [effect, setEffect] = useState<MotionEffect | null>(null);
  const variants = order?.variants ?? [];
  const allIn = variants.length > 0 && variants.every((v) => v.status !== 'pending');
  const pick = useAction(
    (index: number) => kiosk.invoke('order:pick-variant', { orderId: order?.id ?? '', index, ...(effect ? { effect } : {}) }),
    (o) => useFlow.getState().orderFrom('call', o),
  );

  return (
    <div className="choose" data-testid="choose-panel">
      <h2 className="choose-title">{allIn ? t('choose.titleReady') : t('choose.title')}</h2>
      <div className="variant-grid variant-grid-pick">
        {variants.map((v) =>
          v.status === 'ready' && v.assetId ? (
            <button
              key={v.index}
              type="button"
              className={`variant variant-ready${v.index === selected ? ' is-selected' : ''}`}
              data-testid={`choose-${v.index}`}
              data-status={v.status}
              aria-pressed={v.index === selected}
              disabled={pick.busy}
              onClick={() => setSelected(v.index)}
            >
              <img src={kiosk.mediaUrl(v.assetId)} alt="" />
            </button>
          ) : (
            <div key={v.index} className={`variant variant-${v.status}`} data-testid={`choose-${v.index}`} data-status={v.status}>
              <div className="variant-wait">{v.status === 'pending' ? <span className="spinner spinner-large" aria-hidden /> : t('generating.variantFailed')}</div>
            </div>
          ),
        )}
      </div>
      {pkg?.motion && (
        <div className="outfits" data-testid="choose-effects">
          <span className="outfits-label">{t('choose.effect')}</span>
          {EFFECTS.map((e) => (
            <button
              key={e}
              type="button"
              className={`chip chip-large${effect === e ? ' is-on' : ''}`}
              data-testid={`effect-${e}`}
              aria-pressed={effect === e}
              onClick={() => setEffect(e)}
            >
              {t(`choose.effect.${e}` as MessageKey)}
            </button>
          ))}
        </div>
      )}
      <p className="muted">{t('choose.auto')}</p>
      <Button testId="choose-confirm" onClick={() => selected !== null && void pick.run(selected)} busy={pick.busy} disabled={selected === null}>
        {t('choose.confirm')}
      </Button>
      <ErrorNote error={pick.error} onRetry={pick.retry} busy={pick.busy} />
    </div>
  );
}
