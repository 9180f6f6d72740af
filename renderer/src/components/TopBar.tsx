// Language, large text and volume on every screen, in the corner where small hands cannot miss them.
import { usePrefs, useT } from '../app/prefs';
import { useAdminGesture } from '../admin/gesture';

/** Drawn, not an emoji: kiosk PCs often have no colour-emoji font. */
function SpeakerIcon({ level }: { level: 0 | 1 | 2 }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="1.2em" height="1.2em" aria-hidden>
      <path d="M3 9h4l5-4v14l-5-4H3z" fill="currentColor" />
      {level === 0 && <path d="M16 9l5 6M21 9l-5 6" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />}
      {level >= 1 && <path d="M15.5 9.5a3.5 3.5 0 0 1 0 5" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />}
      {level === 2 && <path d="M18 7a7 7 0 0 1 0 10" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" />}
    </svg>
  );
}

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
          <SpeakerIcon level={volume === 0 ? 0 : volume < 1 ? 1 : 2} /> {volumeLabel}
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
