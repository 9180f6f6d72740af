// Scene style (and, where offered, an outfit), then order:choose-product and on to the camera.
// One tap on a style goes on (the five-tap path, issue 15); an outfit is chosen first, optionally.
// Each tile shows the style's sample picture (assets/samples, served at ./samples/).
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
  // Outfits offered by any style of this product, chosen before the style (one list, by id).
  const outfits = [...new Map(styles.flatMap((s) => s.outfits).map((o) => [o.id, o])).values()];

  const next = useAction(
    async (chosen: string | null) => {
      const id = chosen ?? styleId;
      if (!orderId || !productId || !id) return { ok: false as const, error: { code: 'VALIDATION', message: '', retryable: false } };
      const style = styles.find((s) => s.id === id);
      const outfit = style?.outfits.some((o) => o.id === outfitId) ? outfitId : null;
      return getKiosk().invoke('order:choose-product', { orderId, productId, styleId: id, outfitId: outfit });
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
          <Button testId="style-next" onClick={() => void next.run(null)} busy={next.busy} disabled={!styleId}>
            {t('style.next')}
          </Button>
        </>
      }
    >
      {outfits.length > 0 && (
        <div className="outfits">
          <span className="outfits-label">{t('style.outfitOptional')}</span>
          <button type="button" className={`chip chip-large${outfitId === null ? ' is-on' : ''}`} data-testid="outfit-none" onClick={() => setOutfitId(null)}>
            {t('style.noOutfit')}
          </button>
          {outfits.map((o) => (
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
      <div className="tiles tiles-styles">
        {styles.map((s) => (
          <button
            key={s.id}
            type="button"
            className={`tile tile-style${s.id === styleId ? ' is-selected' : ''}`}
            data-testid={`style-${s.id}`}
            aria-pressed={s.id === styleId}
            style={{
              background: s.sample
                ? `linear-gradient(180deg, transparent 55%, ${s.palette[0]}), url(./samples/${s.sample}) center / cover, ${s.palette[0]}`
                : `linear-gradient(160deg, ${s.palette[0]}, ${s.palette[1]})`,
            }}
            disabled={next.busy}
            onClick={() => {
              setStyleId(s.id);
              void next.run(s.id);
            }}
          >
            <span className="tile-name">{pickText(lang, s.name)}</span>
          </button>
        ))}
      </div>
      <ErrorNote error={next.error} onRetry={next.retry} busy={next.busy} />
    </Screen>
  );
}
