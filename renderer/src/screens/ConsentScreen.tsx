// PIPL: nothing is captured before an explicit "同意"; declining goes straight back to attract.
import { useFlow } from '../app/flow';
import { endSession } from '../app/session';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';

export function ConsentScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const accept = useAction(
    () => getKiosk().invoke('session:accept-consent', { lang, consent: true }),
    (order) => {
      useFlow.getState().orderFrom('call', order);
      useFlow.getState().go('product');
    },
  );
  const points = ['consent.captured', 'consent.purpose', 'consent.originals', 'consent.results'] as const;
  return (
    <Screen
      name="consent"
      title={t('consent.title')}
      footer={
        <>
          <Button testId="consent-decline" variant="secondary" onClick={() => void endSession()} disabled={accept.busy}>
            {t('consent.decline')}
          </Button>
          <Button testId="consent-agree" onClick={() => void accept.run()} busy={accept.busy}>
            {t('consent.agree')}
          </Button>
        </>
      }
    >
      <ul className="consent-list">
        {points.map((key, i) => (
          <li key={key}>
            <span className="consent-num">{i + 1}</span>
            <span>{t(key)}</span>
          </li>
        ))}
      </ul>
      <p className="consent-note">{t('consent.sensitive')}</p>
      <ErrorNote error={accept.error} onRetry={accept.retry} busy={accept.busy} />
    </Screen>
  );
}
