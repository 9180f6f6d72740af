// 时空拼图 or 富贵变身: what the family wants to make.
import { useShallow } from 'zustand/react/shallow';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { pickText } from '../i18n';
import { Screen } from '../components/Screen';

export function ProductScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const products = useFlow(useShallow((s) => s.catalog?.products.filter((p) => p.enabled) ?? []));
  const choose = useFlow((s) => s.chooseProduct);
  return (
    <Screen name="product" title={t('product.title')}>
      <div className="tiles tiles-2">
        {products.map((p) => (
          <button key={p.id} type="button" className={`tile tile-product tile-${p.id}`} data-testid={`product-${p.id}`} onClick={() => choose(p.id)}>
            <span className="tile-name">{pickText(lang, p.name)}</span>
            <span className="tile-desc">{pickText(lang, p.description)}</span>
            <span className="tile-meta">
              {p.maxPhotos > 1 ? t('product.photosRange', { min: p.minPhotos, max: p.maxPhotos }) : t('product.photosOne')}
            </span>
          </button>
        ))}
      </div>
    </Screen>
  );
}
