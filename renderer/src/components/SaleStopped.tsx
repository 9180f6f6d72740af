// 暂停服务: the kiosk refuses to sell while a money setting is in doubt (fail closed). The
// customer reads the Chinese notice; the operator reads the field names on the small line and
// opens the admin screen as usual (five taps on the logo in the top bar).
import { useFlow } from '../app/flow';
import { useT } from '../app/prefs';
import { TopBar } from './TopBar';

export function SaleStopped({ fields }: { fields: string[] }) {
  const t = useT();
  const version = useFlow((s) => s.catalog?.settings.version ?? '');
  return (
    <section className="screen screen-sale-stopped" data-testid="screen-sale-stopped">
      <TopBar />
      <div className="sale-stopped">
        <h1 className="sale-stopped-title">{t('saleStopped.title')}</h1>
        <p className="sale-stopped-text">{t('saleStopped.text')}</p>
        <p className="sale-stopped-operator" data-testid="sale-stopped-fields">
          {t('saleStopped.operator')} config.json: {fields.join(', ')} {version && `· v${version}`}
        </p>
      </div>
    </section>
  );
}
