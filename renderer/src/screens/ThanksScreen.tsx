// Thank you, then the attract loop for the next family.
import { useEffect } from 'react';
import { endSession } from '../app/session';
import { useT } from '../app/prefs';
import { Screen } from '../components/Screen';

const THANKS_MS = 6000;

export function ThanksScreen() {
  const t = useT();
  useEffect(() => {
    const timer = setTimeout(() => void endSession(), THANKS_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <Screen name="thanks">
      <div className="thanks" onClick={() => void endSession()}>
        <span className="thanks-seal" aria-hidden>
          <span>{t('app.seal')}</span>
        </span>
        <h1 className="thanks-title">{t('thanks.title')}</h1>
        <p className="thanks-sub">{t('thanks.sub')}</p>
      </div>
    </Screen>
  );
}
