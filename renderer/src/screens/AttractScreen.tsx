// The attract loop: sample results cross-fading, a big invitation, and the whole screen is the button.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { pickText } from '../i18n';
import { TopBar } from '../components/TopBar';

const SLIDE_MS = 4500;

/** assets/samples is served at ./samples/ with an index.json listing the files (["a.jpg", …]). */
async function loadSamples(): Promise<string[]> {
  try {
    const res = await fetch('./samples/index.json');
    if (!res.ok) return [];
    const list: unknown = await res.json();
    if (!Array.isArray(list)) return [];
    return list
      .filter((f): f is string => typeof f === 'string' && /^[\w.-]+\.(jpe?g|png|webp)$/i.test(f))
      .map((f) => `./samples/${f}`);
  } catch {
    return [];
  }
}

export function AttractScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const go = useFlow((s) => s.go);
  const styles = useFlow(useShallow((s) => s.catalog?.styles.filter((x) => x.enabled) ?? []));
  const [samples, setSamples] = useState<string[]>([]);
  const [slide, setSlide] = useState(0);

  useEffect(() => {
    let stop = false;
    void loadSamples().then((s) => {
      if (!stop) setSamples(s);
    });
    return () => {
      stop = true;
    };
  }, []);

  const count = samples.length || styles.length;
  useEffect(() => {
    if (count < 2) return;
    const timer = setInterval(() => setSlide((i) => (i + 1) % count), SLIDE_MS);
    return () => clearInterval(timer);
  }, [count]);

  return (
    <section className="screen screen-attract" data-testid="screen-attract">
      <div className="showcase" aria-hidden>
        {samples.length > 0
          ? samples.map((src, i) => <img key={src} src={src} alt="" className={`slide${i === slide % samples.length ? ' is-on' : ''}`} />)
          : styles.map((s, i) => (
              <div
                key={s.id}
                className={`slide slide-palette${i === slide % Math.max(1, styles.length) ? ' is-on' : ''}`}
                style={{ background: `radial-gradient(circle at 50% 35%, ${s.palette[1]}, ${s.palette[0]} 70%)` }}
              >
                <span className="slide-style">{pickText(lang, s.name)}</span>
              </div>
            ))}
        <div className="showcase-shade" />
      </div>
      <TopBar />
      <button type="button" className="attract-start" data-testid="attract-start" onClick={() => go('consent')}>
        <span className="lantern lantern-left" aria-hidden />
        <span className="lantern lantern-right" aria-hidden />
        <span className="attract-title">{t('app.title')}</span>
        <span className="attract-tagline">{t('attract.tagline')}</span>
        <span className="attract-steps">{t('attract.steps')}</span>
        <span className="attract-tap">{t('attract.tap')}</span>
      </button>
    </section>
  );
}
