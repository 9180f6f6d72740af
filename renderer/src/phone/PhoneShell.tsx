// Frame of every phone page: title, language switch, and a kind error box.
import type { ReactNode } from 'react';
import type { KioskError } from '../../../electron/shared/result';
import { usePrefs, useT } from '../app/prefs';
import { errorText } from '../i18n';

export function PhoneShell({ page, title, children }: { page: string; title: string; children: ReactNode }) {
  const t = useT();
  const toggleLang = usePrefs((s) => s.toggleLang);
  return (
    <main className={`phone phone-${page}`} data-testid={`phone-${page}`}>
      <header className="phone-head">
        <span className="phone-brand">{t('app.title')}</span>
        <button type="button" className="phone-lang" data-testid="lang-toggle" onClick={toggleLang}>
          {t('bar.lang')}
        </button>
      </header>
      <h1 className="phone-title">{title}</h1>
      {children}
    </main>
  );
}

export function PhoneError({ error }: { error: KioskError | null }) {
  const lang = usePrefs((s) => s.lang);
  if (!error) return null;
  return (
    <p className="phone-error" role="alert" data-testid="phone-error" data-code={error.code}>
      {errorText(lang, error)}
    </p>
  );
}
