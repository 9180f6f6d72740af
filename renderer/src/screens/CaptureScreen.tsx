// Live preview with face guidance, a 3-2-1 countdown, and the stills of this order with their
// check results. 时空拼图 takes several shots and photos uploaded from a phone.
import { useEffect, useRef, useState } from 'react';
import type { UploadLink } from '../../../electron/shared/contract';
import { beep, shutter } from '../audio/cues';
import { countdownAt } from '../app/countdown';
import { useFlow } from '../app/flow';
import { okPhotos } from '../app/orderMerge';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { usePollOrder } from '../app/usePollOrder';
import { adviceOf, refusalsOf } from '../capture/advice';
import { grabFrame } from '../capture/frames';
import { useCamera } from '../capture/useCamera';
import { useGuidance } from '../capture/useGuidance';
import { hintText, reasonText } from '../i18n';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { QrImage } from '../components/QrImage';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

const FLASH_MS = 250;

function useCountdown(onShoot: () => void): { value: number | null; start: () => void } {
  const [startedAt, setStartedAt] = useState<number | null>(null);
  const [value, setValue] = useState<number | null>(null);
  const shootRef = useRef(onShoot);
  shootRef.current = onShoot;
  useEffect(() => {
    if (startedAt === null) return;
    let shown = -1;
    const tick = () => {
      const c = countdownAt(startedAt, Date.now());
      if (c.value !== shown) {
        shown = c.value;
        if (!c.done) beep(c.value === 1);
        setValue(c.done ? null : c.value);
      }
      if (c.done) {
        setStartedAt(null);
        shootRef.current();
      }
    };
    tick();
    const timer = setInterval(tick, 50);
    return () => clearInterval(timer);
  }, [startedAt]);
  return { value, start: () => setStartedAt((s) => s ?? Date.now()) };
}

export function CaptureScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const order = useFlow((s) => s.order);
  const product = useFlow((s) => s.catalog?.products.find((p) => p.id === (s.order?.productId ?? s.productId)) ?? null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const camera = useCamera(videoRef);
  const [flash, setFlash] = useState(false);
  const [link, setLink] = useState<UploadLink | null>(null);
  const kiosk = getKiosk();
  const orderId = order?.id ?? '';
  const photos = order?.photos ?? [];
  const minPhotos = product?.minPhotos ?? 1;
  const maxPhotos = product?.maxPhotos ?? 1;
  const isPuzzle = (order?.productId ?? null) === 'puzzle';
  const good = okPhotos(order);
  const full = photos.length >= maxPhotos;

  const add = useAction(
    (image: string) => kiosk.invoke('capture:add-photo', { orderId, image }),
    (o) => useFlow.getState().orderFrom('call', o),
  );
  const remove = useAction(
    (photoId: string) => kiosk.invoke('capture:remove-photo', { orderId, photoId }),
    (o) => useFlow.getState().orderFrom('call', o),
  );
  const phoneLink = useAction(
    () => kiosk.invoke('capture:phone-upload-link', { orderId }),
    (l) => setLink(l),
  );
  const generate = useAction(
    () => kiosk.invoke('generate:start', { orderId }),
    (o) => {
      useFlow.getState().orderFrom('call', o);
      useFlow.getState().go('generating');
    },
  );

  // While the upload QR is up, a dropped WebSocket must not hide the photo that arrives.
  usePollOrder(link !== null);

  const countdown = useCountdown(() => {
    const video = videoRef.current;
    const image = video ? grabFrame(video, null, 0.92) : null;
    shutter();
    setFlash(true);
    setTimeout(() => setFlash(false), FLASH_MS);
    if (image) void add.run(image);
  });
  const counting = countdown.value !== null;
  const { guidance, fps } = useGuidance(videoRef, camera.status === 'live' && !counting && !add.busy);

  // A photo arriving from the phone closes the QR panel so the family sees it land.
  const phoneCount = photos.filter((p) => p.source === 'phone').length;
  const seenPhone = useRef(phoneCount);
  useEffect(() => {
    if (phoneCount > seenPhone.current) setLink(null);
    seenPhone.current = phoneCount;
  }, [phoneCount]);

  const last = photos[photos.length - 1];
  // Advice on the newest photo (turned head, a little dark …): it already counts; the family may
  // keep it ("仍然使用") or retake. Dismissed per photo, so it is asked once.
  const [kept, setKept] = useState<ReadonlySet<string>>(new Set());
  const lastAdvice = last && !kept.has(last.id) ? adviceOf(last) : [];
  const canRetake = !!last && (!last.ok || full) && !counting && !add.busy && !remove.busy;
  const busy = counting || add.busy || remove.busy || generate.busy;

  async function retake() {
    if (!last) return;
    await remove.run(last.id);
    countdown.start();
  }

  const status =
    good >= minPhotos ? t('capture.ready') : t('capture.needMore', { n: minPhotos - good });

  return (
    <Screen
      name="capture"
      title={t('capture.title')}
      footer={
        <>
          {isPuzzle && (
            <Button testId="capture-phone-upload" variant="secondary" onClick={() => void phoneLink.run()} busy={phoneLink.busy} disabled={full}>
              {t('capture.phoneUpload')}
            </Button>
          )}
          {canRetake ? (
            <Button testId="capture-retake" variant="secondary" onClick={() => void retake()} disabled={camera.status !== 'live'}>
              {t('capture.retake')}
            </Button>
          ) : null}
          <Button testId="capture-shoot" onClick={countdown.start} disabled={busy || full || camera.status !== 'live'} busy={add.busy}>
            {t('capture.shoot')}
          </Button>
          <Button testId="capture-next" onClick={() => void generate.run()} busy={generate.busy} disabled={good < minPhotos || counting || add.busy}>
            {t('capture.next')}
          </Button>
        </>
      }
    >
      <div className="capture-layout">
        <div className="preview">
          <video ref={videoRef} className="preview-video" playsInline muted autoPlay data-testid="capture-video" />
          {camera.status === 'starting' && <div className="preview-msg">{t('capture.cameraStarting')}</div>}
          {camera.status === 'error' && <div className="preview-msg preview-error" data-testid="capture-no-camera">{t('capture.noCamera')}</div>}
          {camera.status === 'live' && guidance && !counting && (
            <div
              className={`guidance guidance-${guidance.hint === 'OK' ? 'ok' : 'warn'}`}
              data-testid="capture-guidance"
              data-faces={guidance.faces}
              data-hint={guidance.hint}
              data-fps={fps}
            >
              <span className="guidance-faces">{t('capture.faces', { n: guidance.faces })}</span>
              <span className="guidance-hint">{hintText(lang, guidance.hint, guidance.message)}</span>
            </div>
          )}
          {counting && (
            <div className="countdown" data-testid="capture-countdown" key={countdown.value}>
              {countdown.value}
            </div>
          )}
          {counting && countdown.value === 1 && <div className="smile">{t('capture.smile')}</div>}
          {flash && <div className="flash" />}
          {add.busy && <div className="preview-msg">{t('capture.checking')}</div>}
        </div>
        <aside className="shots">
          {isPuzzle && <p className="shots-hint">{t('capture.puzzleHint')}</p>}
          <p className="shots-count">
            {t('capture.count', { n: photos.length, max: maxPhotos })} · {status}
          </p>
          {last && lastAdvice.length > 0 && !counting && (
            <div className="advice" data-testid="capture-advice">
              <p className="advice-title">{t('capture.adviceTitle')}</p>
              {lastAdvice.map((r) => (
                <p key={r.code} className="advice-item" data-code={r.code}>
                  {reasonText(lang, r)}
                </p>
              ))}
              <div className="advice-actions">
                <Button testId="capture-use-anyway" variant="secondary" onClick={() => setKept((k) => new Set(k).add(last.id))}>
                  {t('capture.useAnyway')}
                </Button>
                <Button testId="capture-advice-retake" onClick={() => void retake()} disabled={busy || camera.status !== 'live'}>
                  {t('capture.retake')}
                </Button>
              </div>
            </div>
          )}
          <ul className="shots-list">
            {photos.map((p, i) => (
              <li key={p.id} className={`shot${p.ok ? ' is-ok' : ' is-bad'}`} data-testid={`capture-photo-${i}`} data-ok={p.ok}>
                <img src={kiosk.mediaUrl(p.assetId)} alt="" className="shot-img" />
                <div className="shot-info">
                  <span className={`badge ${p.ok ? 'badge-ok' : 'badge-bad'}`}>{p.ok ? (adviceOf(p).length ? t('capture.okAdvice') : t('capture.ok')) : t('capture.bad')}</span>
                  {p.source === 'phone' && <span className="badge">{t('capture.fromPhone')}</span>}
                  {(p.ok ? adviceOf(p) : refusalsOf(p)).map((r) => (
                    <span key={r.code} className={`shot-reason${p.ok ? ' is-advice' : ''}`} data-kind={p.ok ? 'advice' : 'refusal'}>
                      {reasonText(lang, r)}
                    </span>
                  ))}
                </div>
                <button
                  type="button"
                  className="shot-remove"
                  data-testid={`capture-remove-${i}`}
                  disabled={busy}
                  onClick={() => void remove.run(p.id)}
                  aria-label={t('capture.remove')}
                >
                  {t('capture.remove')}
                </button>
              </li>
            ))}
          </ul>
          {full && <p className="shots-hint">{t('capture.full')}</p>}
          <ErrorNote error={add.error} onRetry={add.retry} busy={add.busy} />
          <ErrorNote error={remove.error} onRetry={remove.retry} busy={remove.busy} />
          <ErrorNote error={phoneLink.error} onRetry={phoneLink.retry} busy={phoneLink.busy} />
          <ErrorNote error={generate.error} onRetry={generate.retry} busy={generate.busy} />
        </aside>
      </div>
      {link && (
        <div className="modal" data-testid="phone-upload-panel">
          <div className="modal-card">
            <p className="modal-title">{t('capture.phoneHint')}</p>
            <QrImage svg={link.qrSvg} testId="capture-phone-qr" alt={t('capture.phoneUpload')} data-url={link.url} />
            <p className="modal-sub">{t('capture.phoneExpires', { time: new Date(link.expiresAt).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit' }) })}</p>
            <Button testId="phone-upload-close" variant="secondary" onClick={() => setLink(null)}>
              {t('common.close')}
            </Button>
          </div>
        </div>
      )}
    </Screen>
  );
}
