// PIPL: nothing is captured before an explicit "同意"; declining goes straight back to attract.
// One tap agrees and chooses the product (the five-tap path, issue 15); the consent names the cloud
// processors the configuration uses (catalogue settings.processors), and what they receive.
import { useShallow } from 'zustand/react/shallow';
import type { ProductId } from '../../../electron/shared/contract';
import { useFlow } from '../app/flow';
import { endSession } from '../app/session';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';
import { pickText } from '../i18n';

export function ConsentScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const products = useFlow(useShallow((s) => s.catalog?.products.filter((p) => p.enabled) ?? []));
  const processors = useFlow((s) => s.catalog?.settings.processors ?? []);
  const accept = useAction(
    (_productId?: ProductId) => getKiosk().invoke('session:accept-consent', { lang, consent: true }),
    (order, productId?: ProductId) => {
      useFlow.getState().orderFrom('call', order);
      if (productId) useFlow.getState().chooseProduct(productId);
      else useFlow.getState().go('product');
    },
  );
  const points = ['consent.captured', 'consent.purpose', 'consent.originals', 'consent.results'] as const;
  return (
    <Screen
      name="consent"
      title={t('consent.title')}
      footer={
        <>
          <Button testId="consent-decline" variant="secondary" onClick={() => void endSession()} disabled={accept.busy}>
            {t('consent.decline')}
          </Button>
          <Button testId="consent-agree" variant="secondary" onClick={() => void accept.run()} busy={accept.busy}>
            {t('consent.agree')}
          </Button>
        </>
      }
    >
      <ul className="consent-list">
        {points.map((key, i) => (
          <li key={key}>
            <span className="consent-num">{i + 1}</span>
            <span>{t(key)}</span>
          </li>
        ))}
      </ul>
      <p className="consent-note">{t('consent.sensitive')}</p>
      <div className="consent-processors" data-testid="consent-processors" data-count={processors.length}>
        {processors.length === 0 ? (
          <p>{t('consent.processorsNone')}</p>
        ) : (
          <>
            <p>{t('consent.processors')}</p>
            <ul>
              {processors.map((p) => (
                <li key={p.id} data-testid={`consent-processor-${p.id}`}>
                  <strong>{pickText(lang, p.name)}</strong> · {pickText(lang, p.sends)}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      {products.length > 0 && (
        <div className="consent-products">
          <p className="consent-products-label">{t('consent.chooseProduct')}</p>
          <div className="tiles tiles-2">
            {products.map((p) => (
              <button
                key={p.id}
                type="button"
                className={`tile tile-product tile-${p.id}`}
                data-testid={`consent-product-${p.id}`}
                disabled={accept.busy}
                onClick={() => void accept.run(p.id)}
              >
                <span className="tile-name">{pickText(lang, p.name)}</span>
                <span className="tile-desc">{pickText(lang, p.description)}</span>
              </button>
            ))}
          </div>
        </div>
      )}
      <ErrorNote error={accept.error} onRetry={accept.retry} busy={accept.busy} />
    </Screen>
  );
}
