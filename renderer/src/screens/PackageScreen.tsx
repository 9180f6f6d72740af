// Packages and prices are operator data; print packages wait for a ready printer.
import { useEffect } from 'react';
import { useFlow } from '../app/flow';
import { formatFen } from '../app/countdown';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { pickText } from '../i18n';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

export function PackageScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const catalog = useFlow((s) => s.catalog);
  const orderId = useFlow((s) => s.order?.id ?? '');
  const packages = catalog?.packages.filter((p) => p.enabled) ?? [];
  const printerReady = catalog?.settings.printerReady ?? false;
  const printerMessage = catalog?.settings.printerMessage || t('package.printerDown');

  // The printer may have run out of paper since the attract loop loaded the catalogue: ask again.
  useEffect(() => {
    let stop = false;
    void getKiosk()
      .invoke('app:get-catalog', {})
      .then((r) => {
        if (!stop && r.ok) useFlow.getState().setCatalog(r.value);
      });
    return () => {
      stop = true;
    };
  }, []);

  const start = useAction(
    (packageId: string) => getKiosk().invoke('payment:start', { orderId, packageId }),
    (o) => {
      useFlow.getState().orderFrom('call', o);
      useFlow.getState().go('pay');
    },
  );

  return (
    <Screen name="package" title={t('package.title')}>
      {packages.length === 0 && (
        <p className="screen-note" data-testid="package-none">
          {t('package.noneAvailable')}
        </p>
      )}
      <div className="tiles tiles-packages">
        {packages.map((p) => {
          const blocked = p.print && !printerReady;
          return (
            <button
              key={p.id}
              type="button"
              className={`tile tile-package${blocked ? ' is-blocked' : ''}${start.busy ? ' is-waiting' : ''}`}
              data-testid={`package-${p.id}`}
              disabled={blocked || start.busy}
              onClick={() => void start.run(p.id)}
            >
              <span className="tile-name">{pickText(lang, p.name)}</span>
              <span className="tile-price">{p.priceFen === 0 ? t('package.free') : t('common.yuan', { amount: formatFen(p.priceFen) })}</span>
              <span className="tile-features">
                {p.print && <span>{t('package.print', { n: p.copies })}</span>}
                {p.download && <span>{t('package.download')}</span>}
                {p.motion && <span>{t('package.motion')}</span>}
              </span>
              {blocked && <span className="tile-warning">{printerMessage}</span>}
            </button>
          );
        })}
      </div>
      <ErrorNote error={start.error} onRetry={start.retry} busy={start.busy} />
    </Screen>
  );
}
