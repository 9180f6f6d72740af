// A call failed: say so kindly (main's messages are already customer-facing) and offer a retry.
import type { KioskError } from '../../../electron/shared/result';
import { errorText } from '../i18n';
import { usePrefs, useT } from '../app/prefs';
import { Button } from './Button';

export function ErrorNote({ error, onRetry, busy }: { error: KioskError | null; onRetry?: () => void; busy?: boolean }) {
  const lang = usePrefs((s) => s.lang);
  const t = useT();
  if (!error) return null;
  return (
    <div className="error-note" role="alert" data-testid="error-note" data-code={error.code}>
      <span className="error-icon" aria-hidden>
        !
      </span>
      <span className="error-text">{errorText(lang, error)}</span>
      {onRetry && (
        <Button testId="error-retry" variant="secondary" onClick={onRetry} busy={busy}>
          {t('common.retry')}
        </Button>
      )}
    </div>
  );
}
