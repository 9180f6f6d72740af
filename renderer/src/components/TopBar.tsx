// Language, large text and volume on every screen, in the corner where small hands cannot miss them.
import { usePrefs, useT } from '../app/prefs';
import { useAdminGesture } from '../admin/gesture';

export function TopBar() {
  const t = useT();
  const { largeText, volume, toggleLang, toggleLargeText, cycleVolume } = usePrefs();
  const secretTap = useAdminGesture();
  const volumeLabel = volume === 0 ? t('bar.volumeOff') : volume < 1 ? t('bar.volumeLow') : t('bar.volumeHigh');
  return (
    <header className="top-bar">
      <div className="brand" onPointerDown={secretTap}>
        <span className="brand-seal" aria-hidden>
          <span>{t('app.seal')}</span>
        </span>
        <span className="brand-name">{t('app.title')}</span>
      </div>
      <div className="top-actions">
        <button type="button" className="chip" data-testid="volume" onClick={cycleVolume} aria-label={t('bar.volume')}>
          <span aria-hidden>{volume === 0 ? '🔇' : volume < 1 ? '🔉' : '🔊'}</span> {volumeLabel}
        </button>
        <button type="button" className={`chip${largeText ? ' is-on' : ''}`} data-testid="large-text" aria-pressed={largeText} onClick={toggleLargeText}>
          {t('bar.largeText')}
        </button>
        <button type="button" className="chip" data-testid="lang-toggle" onClick={toggleLang}>
          {t('bar.lang')}
        </button>
      </div>
    </header>
  );
}
