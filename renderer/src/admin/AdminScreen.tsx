// Mount point of the operator's admin screen (health, settings, orders, reprint/refund): owned by
// the admin work, which replaces this body. The kiosk reaches it with the hidden gesture in TopBar.
import { useFlow } from '../app/flow';
import { useT } from '../app/prefs';
import { Button } from '../components/Button';

export function AdminScreen() {
  const t = useT();
  const reset = useFlow((s) => s.reset);
  return (
    <section className="screen screen-admin" data-testid="screen-admin">
      <h1 className="screen-title">{t('admin.title')}</h1>
      <div className="screen-body">
        <Button testId="admin-exit" variant="secondary" onClick={reset}>
          {t('common.back')}
        </Button>
      </div>
    </section>
  );
}
