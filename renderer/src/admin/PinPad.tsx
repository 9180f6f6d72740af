// The PIN pad: big numeric keys, the digits shown as dots, a clear key, and a visible way back to
// the kiosk. A wrong PIN says how many tries are left; after five the pad says to wait.
import { useState } from 'react';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { Button } from '../components/Button';
import { getKiosk } from '../platform/bridge';
import { adminErrorText, useAdminSession } from './adminSession';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const MAX_DIGITS = 12;

export function PinPad() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [pin, setPin] = useState('');
  const unlock = useAction(
    (value: string) => getKiosk().invoke('admin:unlock', { pin: value }),
    (v) => useAdminSession.getState().setToken(v.token),
  );
  const press = (d: string) => {
    unlock.clear();
    setPin((p) => (p.length < MAX_DIGITS ? p + d : p));
  };
  const submit = () => {
    if (pin.length === 0) return;
    const value = pin;
    setPin('');
    void unlock.run(value);
  };
  return (
    <div className="admin-pin" data-testid="admin-pin">
      <h2 className="admin-pin-title">{t('admin.pin.title')}</h2>
      <div className="admin-pin-dots" data-testid="admin-pin-dots" data-length={pin.length} aria-live="polite">
        {Array.from({ length: Math.max(4, pin.length) }, (_, i) => (
          <span key={i} className={`admin-pin-dot${i < pin.length ? ' is-filled' : ''}`} />
        ))}
      </div>
      {unlock.error && (
        <p className="admin-error" role="alert" data-testid="admin-pin-error" data-code={unlock.error.code}>
          {adminErrorText(lang, unlock.error)}
        </p>
      )}
      <div className="admin-pin-keys">
        {KEYS.map((k) => (
          <button key={k} type="button" className="admin-key" data-testid={`admin-pin-key-${k}`} onClick={() => press(k)} disabled={unlock.busy}>
            {k}
          </button>
        ))}
        <button type="button" className="admin-key admin-key-aux" data-testid="admin-pin-clear" onClick={() => setPin('')}>
          {t('admin.pin.clear')}
        </button>
        <button type="button" className="admin-key" data-testid="admin-pin-key-0" onClick={() => press('0')} disabled={unlock.busy}>
          0
        </button>
        <button type="button" className="admin-key admin-key-ok" data-testid="admin-pin-ok" onClick={submit} disabled={unlock.busy || pin.length === 0}>
          {t('admin.pin.ok')}
        </button>
      </div>
      <p className="admin-hint">{t('admin.pin.hint')}</p>
      <Button testId="admin-pin-back" variant="secondary" onClick={() => useFlow.getState().reset()}>
        {t('admin.pin.back')}
      </Button>
    </div>
  );
}
