// The family's result on their phone: the photo (long-press to save), the living photo, a card.
import { useEffect, useState } from 'react';
import type { KioskError } from '../../../electron/shared/result';
import { usePrefs, useT } from '../app/prefs';
import type { DownloadInfo, PhoneApi } from './api';
import { CardMaker } from './CardMaker';
import { PhoneError, PhoneShell } from './PhoneShell';

const POLL_MS = 2000;

export function DownloadPage({ api, token }: { api: PhoneApi; token: string }) {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [info, setInfo] = useState<DownloadInfo | null>(null);
  const [error, setError] = useState<KioskError | null>(null);
  const [view, setView] = useState<'photo' | 'card'>('photo');

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const r = await api.download(token);
      if (stop) return;
      if (r.ok) {
        setInfo(r.value);
        setError(null);
        if (!r.value.ready || r.value.motionPending) timer = setTimeout(() => void load(), POLL_MS);
      } else {
        setError(r.error);
        // An expired link stays expired; a dropped connection is worth another try.
        if (r.error.retryable) timer = setTimeout(() => void load(), POLL_MS);
      }
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [api, token]);

  const expires = info ? new Date(info.expiresAt).toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '';
  return (
    <PhoneShell page="download" title={t('phone.download.title')}>
      {info && !info.ready && (
        <p className="phone-wait" data-testid="download-wait">
          <span className="spinner" aria-hidden /> {t('phone.download.wait')}
        </p>
      )}
      {info?.ready && info.photoUrl && (
        <>
          {/* The card is for paid orders; the free take-away is the watermarked picture alone. */}
          {info.cardAllowed && (
            <div className="phone-tabs" role="tablist">
              <button type="button" role="tab" aria-selected={view === 'photo'} className={view === 'photo' ? 'is-on' : ''} data-testid="download-photo-tab" onClick={() => setView('photo')}>
                {t('phone.download.photo')}
              </button>
              <button type="button" role="tab" aria-selected={view === 'card'} className={view === 'card' ? 'is-on' : ''} data-testid="download-card-tab" onClick={() => setView('card')}>
                {t('phone.download.card')}
              </button>
            </div>
          )}
          {view === 'card' && info.cardAllowed ? (
            <CardMaker api={api} token={token} card={info.card} onSaved={(card) => setInfo({ ...info, card })} />
          ) : (
            <section className="phone-photo-box">
              <img className="phone-photo" src={info.photoUrl} alt={t('phone.download.title')} data-testid="download-photo" />
              <p className="phone-save">{t('phone.download.save')}</p>
            </section>
          )}
          {info.motionUrl && (
            <section className="phone-card">
              <h2>{t('phone.download.motion')}</h2>
              <video className="phone-video" src={info.motionUrl} autoPlay muted loop playsInline controls data-testid="download-motion" />
            </section>
          )}
          {info.motionPending && !info.motionUrl && (
            <p className="phone-wait" data-testid="download-motion-wait">
              <span className="spinner" aria-hidden /> {t('phone.download.motionPending')}
            </p>
          )}
          {info.livePhoto && (
            <section className="phone-card phone-links">
              <h2>{t('phone.download.livePhoto')}</h2>
              <a href={info.livePhoto.jpgUrl} download>
                {t('phone.download.jpg')}
              </a>
              <a href={info.livePhoto.movUrl} download>
                {t('phone.download.mov')}
              </a>
            </section>
          )}
        </>
      )}
      {info && (
        // Whom to ask when something is wrong, and what to quote: as on the screen and the print.
        <section className="phone-aftersales" data-testid="download-order">
          <p data-testid="download-order-code" data-code={info.orderCode}>
            {t('deliver.orderCode', { code: info.orderCode })}
          </p>
          {info.afterSalesContact && <p data-testid="download-after-sales">{t('deliver.afterSales', { contact: info.afterSalesContact })}</p>}
        </section>
      )}
      {info && (
        <p className="phone-note" data-testid="download-expires">
          {t('phone.download.expires', { date: expires })}
        </p>
      )}
      {!info && !error && <p className="phone-wait">{t('common.loading')}</p>}
      <PhoneError error={error} />
    </PhoneShell>
  );
}
