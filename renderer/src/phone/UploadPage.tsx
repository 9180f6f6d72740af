// An absent relative's photo for 时空拼图: pick, preview, shrink on the phone, upload, see the check.
import { useEffect, useState } from 'react';
import { usePrefs, useT } from '../app/prefs';
import { adviceOf, refusalsOf } from '../capture/advice';
import { reasonText } from '../i18n';
import type { PhoneApi, UploadInfo, UploadOutcome } from './api';
import { PhoneError, PhoneShell } from './PhoneShell';
import { useTokenInfo } from './useTokenInfo';
import { shrinkToJpeg } from './shrink';

export function UploadPage({ api, token }: { api: PhoneApi; token: string }) {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [info, , error, setError] = useTokenInfo<UploadInfo>(() => api.uploadInfo(token), [api, token]);
  const [jpeg, setJpeg] = useState<Blob | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<UploadOutcome | null>(null);
  const [unreadable, setUnreadable] = useState(false);
  // Advice on an accepted photo (turned head, a little dark …): it already counts; "仍然使用" keeps it.
  const [kept, setKept] = useState(false);

  useEffect(() => {
    if (!jpeg) return;
    const url = URL.createObjectURL(jpeg);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [jpeg]);

  async function choose(file: File | undefined) {
    if (!file) return;
    setOutcome(null);
    setKept(false);
    setError(null);
    setUnreadable(false);
    setBusy(true);
    const small = await shrinkToJpeg(file);
    setBusy(false);
    if (!small) {
      setJpeg(null);
      setUnreadable(true);
      return;
    }
    setJpeg(small);
  }

  async function send() {
    if (!jpeg || busy) return;
    setBusy(true);
    setError(null);
    const r = await api.upload(token, jpeg);
    setBusy(false);
    if (r.ok) setOutcome(r.value);
    else setError(r.error);
  }

  const time = info ? new Date(info.expiresAt).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit' }) : '';
  const expired = error?.code === 'TOKEN_EXPIRED';
  return (
    <PhoneShell page="upload" title={info?.name ? t('phone.upload.for', { name: info.name }) : t('phone.upload.title')}>
      {info && !expired && (
        <section className="phone-card">
          <p className="phone-desc">{t('phone.upload.hint')}</p>
          {!outcome?.ok && (
            <label className={`btn btn-secondary phone-btn phone-file${busy ? ' is-busy' : ''}`}>
              {t('phone.upload.choose')}
              <input type="file" accept="image/*" data-testid="upload-file" disabled={busy} onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = ''; // choosing the same photo again must fire again
                  void choose(file);
                }} />
            </label>
          )}
          {preview && <img className="phone-preview" src={preview} alt="" data-testid="upload-preview" />}
          {unreadable && <p className="phone-error">{t('phone.upload.unreadable')}</p>}
          {jpeg && !outcome && (
            <button type="button" className="btn btn-primary phone-btn" data-testid="upload-send" disabled={busy} onClick={() => void send()}>
              {busy && <span className="spinner" aria-hidden />}
              {busy ? t('phone.upload.sending') : t('phone.upload.send')}
            </button>
          )}
          {outcome && (
            <div className={`phone-result ${outcome.ok ? 'is-ok' : 'is-bad'}`} data-testid="upload-result" data-ok={outcome.ok}>
              <strong>{outcome.ok ? (adviceOf(outcome).length && !kept ? t('phone.upload.okAdvice') : t('phone.upload.ok')) : t('phone.upload.bad')}</strong>
              {(outcome.ok ? (kept ? [] : adviceOf(outcome)) : refusalsOf(outcome)).map((r) => (
                <span key={r.code} data-kind={outcome.ok ? 'advice' : 'refusal'}>
                  {reasonText(lang, r)}
                </span>
              ))}
              {outcome.ok && adviceOf(outcome).length > 0 && !kept && (
                <button type="button" className="btn btn-primary phone-btn" data-testid="upload-use-anyway" onClick={() => setKept(true)}>
                  {t('phone.upload.useAnyway')}
                </button>
              )}
              <button
                type="button"
                className="btn btn-secondary phone-btn"
                data-testid="upload-again"
                onClick={() => {
                  setOutcome(null);
                  setJpeg(null);
                  setPreview(null);
                }}
              >
                {outcome.ok && adviceOf(outcome).length > 0 && !kept ? t('phone.upload.retake') : t('phone.upload.another')}
              </button>
            </div>
          )}
          <p className="phone-note">{t('phone.upload.expires', { time })}</p>
        </section>
      )}
      {!info && !error && <p className="phone-wait">{t('common.loading')}</p>}
      <PhoneError error={error} />
    </PhoneShell>
  );
}
