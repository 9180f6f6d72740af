// Try, then buy (issue 15): the watermarked try beside the packages (operator data). Print packages
// wait for a ready printer; the free package says when today's free pictures are spent.
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
  const order = useFlow((s) => s.order);
  const orderId = order?.id ?? '';
  const kiosk = getKiosk();
  const tryShot = order?.variants.find((v) => v.index === 0 && v.status === 'ready' && v.assetId);
  const free = catalog?.settings.free;
  // Why the free package cannot be taken now: the order had no try, or the kiosk's free cap.
  const freeReason = order?.freeBlocked ?? (tryShot ? null : 'NO_TRY');
  const freeText = (code: string | null | undefined) =>
    code === 'FREE_COOLDOWN' ? t('package.freeCooldown') : code === 'FREE_OFF' ? t('package.freeOff') : code ? t('package.freeSpent') : null;
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
      <div className="package-try" data-testid="package-try" data-has-try={!!tryShot}>
        {tryShot?.assetId ? (
          <figure>
            <img src={kiosk.mediaUrl(tryShot.assetId)} alt="" data-testid="package-try-img" />
            <figcaption>{t('package.tryCaption')}</figcaption>
          </figure>
        ) : (
          <p className="screen-note">{t('package.noTry')}</p>
        )}
      </div>
      {packages.length === 0 && (
        <p className="screen-note" data-testid="package-none">
          {t('package.noneAvailable')}
        </p>
      )}
      <div className="tiles tiles-packages">
        {packages.map((p) => {
          const freeBlocked = p.priceFen === 0 && (freeReason !== null || (free !== undefined && !free.available && !tryShot));
          const blocked = (p.print && !printerReady) || freeBlocked;
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
                <span>{p.variants === 4 ? t('package.variants4') : t('package.variants1')}</span>
                <span>{p.watermark ? t('package.watermark') : t('package.noWatermark')}</span>
                {p.model === 'enhanced' && <span>{t('package.enhanced')}</span>}
                {p.print && <span>{t('package.print', { n: p.copies })}</span>}
                {p.download && <span>{t('package.download')}</span>}
                {p.motion && <span>{t('package.motion')}</span>}
              </span>
              {blocked && (
                <span className="tile-warning" data-testid={freeBlocked ? 'package-free-blocked' : undefined}>
                  {freeBlocked ? (freeReason === 'NO_TRY' ? (free && !free.available ? freeText(free.reason) : t('package.noTry')) : freeText(freeReason)) : printerMessage}
                </span>
              )}
            </button>
          );
        })}
      </div>
      <ErrorNote error={start.error} onRetry={start.retry} busy={start.busy} />
    </Screen>
  );
}
