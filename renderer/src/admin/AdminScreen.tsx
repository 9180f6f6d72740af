// The operator's screen, reached by the hidden gesture in the top bar: the PIN pad first, then
// tabs for health, settings, orders & sales, alert robots, and maintenance. Leaving (or an expired session)
// drops the token; nothing of the session outlives the screen.
import { useEffect, useState } from 'react';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { getKiosk } from '../platform/bridge';
import { useAdminSession } from './adminSession';
import { AlertsTab } from './AlertsTab';
import { HealthTab } from './HealthTab';
import { OrdersTab } from './OrdersTab';
import { PinPad } from './PinPad';
import { SettingsTab } from './SettingsTab';
import { ToolsTab } from './ToolsTab';
import './admin.css';

const TABS = ['health', 'settings', 'orders', 'alerts', 'tools'] as const;
type Tab = (typeof TABS)[number];

export function AdminScreen() {
  const t = useT();
  const token = useAdminSession((s) => s.token);
  const [tab, setTab] = useState<Tab>('health');
  const toggleLang = usePrefs((s) => s.toggleLang);

  // Leaving the screen (any way) ends the session.
  useEffect(
    () => () => {
      const tk = useAdminSession.getState().token;
      if (tk) void getKiosk().invoke('admin:lock', { token: tk });
      useAdminSession.getState().setToken(null);
    },
    [],
  );

  const leave = () => {
    // The next family starts from a fresh catalogue (the operator may have changed prices).
    useFlow.getState().reset();
  };

  return (
    <section className="screen screen-admin" data-testid="screen-admin">
      <header className="admin-header">
        <h1 className="screen-title">{t('admin.title')}</h1>
        <button type="button" className="chip" data-testid="admin-lang" onClick={toggleLang}>
          {t('bar.lang')}
        </button>
        {token && (
          <Button testId="admin-leave" variant="secondary" onClick={leave}>
            {t('admin.lock')}
          </Button>
        )}
      </header>
      <div className="screen-body admin-body">
        {!token ? (
          <PinPad />
        ) : (
          <>
            <nav className="admin-tabs" role="tablist">
              {TABS.map((id) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  aria-selected={tab === id}
                  className={`admin-tab${tab === id ? ' is-active' : ''}`}
                  data-testid={`admin-tab-${id}`}
                  onClick={() => setTab(id)}
                >
                  {t(`admin.tab.${id}`)}
                </button>
              ))}
            </nav>
            {tab === 'health' && <HealthTab />}
            {tab === 'settings' && <SettingsTab />}
            {tab === 'orders' && <OrdersTab />}
            {tab === 'alerts' && <AlertsTab />}
            {tab === 'tools' && <ToolsTab />}
          </>
        )}
      </div>
    </section>
  );
}
