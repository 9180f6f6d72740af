// Scene style (and, where offered, an outfit), then order:choose-product and on to the camera.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { pickText } from '../i18n';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

export function StyleScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const productId = useFlow((s) => s.productId);
  const orderId = useFlow((s) => s.order?.id ?? null);
  const styles = useFlow(useShallow((s) => s.catalog?.styles.filter((x) => x.enabled && productId !== null && x.products.includes(productId)) ?? []));
  const [styleId, setStyleId] = useState<string | null>(null);
  const [outfitId, setOutfitId] = useState<string | null>(null);
  const style = styles.find((s) => s.id === styleId) ?? null;

  const next = useAction(
    async () => {
      if (!orderId || !productId || !styleId) return { ok: false as const, error: { code: 'VALIDATION', message: '', retryable: false } };
      return getKiosk().invoke('order:choose-product', { orderId, productId, styleId, outfitId });
    },
    (order) => {
      useFlow.getState().orderFrom('call', order);
      useFlow.getState().go('capture');
    },
  );

  return (
    <Screen
      name="style"
      title={t('style.title')}
      footer={
        <>
          <Button testId="back" variant="secondary" onClick={() => useFlow.getState().go('product')} disabled={next.busy}>
            {t('common.back')}
          </Button>
          <Button testId="style-next" onClick={() => void next.run()} busy={next.busy} disabled={!styleId}>
            {t('style.next')}
          </Button>
        </>
      }
    >
      <div className="tiles tiles-styles">
        {styles.map((s) => (
          <button
            key={s.id}
            type="button"
            className={`tile tile-style${s.id === styleId ? ' is-selected' : ''}`}
            data-testid={`style-${s.id}`}
            aria-pressed={s.id === styleId}
            style={{ background: `linear-gradient(160deg, ${s.palette[0]}, ${s.palette[1]})` }}
            onClick={() => {
              setStyleId(s.id);
              setOutfitId(null);
            }}
          >
            <span className="tile-name">{pickText(lang, s.name)}</span>
          </button>
        ))}
      </div>
      {style && style.outfits.length > 0 && (
        <div className="outfits">
          <span className="outfits-label">{t('style.outfit')}</span>
          <button type="button" className={`chip chip-large${outfitId === null ? ' is-on' : ''}`} data-testid="outfit-none" onClick={() => setOutfitId(null)}>
            {t('style.noOutfit')}
          </button>
          {style.outfits.map((o) => (
            <button
              key={o.id}
              type="button"
              className={`chip chip-large${outfitId === o.id ? ' is-on' : ''}`}
              data-testid={`outfit-${o.id}`}
              onClick={() => setOutfitId(o.id)}
            >
              {pickText(lang, o.name)}
            </button>
          ))}
        </div>
      )}
      <ErrorNote error={next.error} onRetry={next.retry} busy={next.busy} />
    </Screen>
  );
}
