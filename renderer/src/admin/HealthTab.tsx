// Health at a glance: one row per part of the kiosk, a coloured status, what it means in plain
// words (catalogue text by code) and the technical detail for support underneath.
import { useCallback, useEffect, useState } from 'react';
import type { HealthReport, Lang } from '../../../electron/shared/contract';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { pickText } from '../i18n';
import { adminCall, adminErrorText, textOr } from './adminSession';

const codeText = (lang: Lang, code: string) => textOr(lang, `admin.health.code.${code}`, code);

export function HealthTab() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const catalog = useFlow((s) => s.catalog);
  const [report, setReport] = useState<HealthReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (refresh: boolean) => {
      setBusy(true);
      const r = await adminCall('admin:get-health', { refresh });
      setBusy(false);
      if (r.ok) {
        setReport(r.value);
        setError(null);
      } else setError(adminErrorText(lang, r.error));
    },
    [lang],
  );

  useEffect(() => {
    void load(false);
  }, [load]);

  const packageName = (id: string) => {
    const p = catalog?.packages.find((x) => x.id === id);
    return p ? pickText(lang, p.name) : id;
  };

  return (
    <div className="admin-panel" data-testid="admin-health">
      <div className="admin-toolbar">
        <Button testId="admin-health-refresh" variant="secondary" busy={busy} onClick={() => void load(true)}>
          {t('admin.refresh')}
        </Button>
        {report && <span className="admin-muted">{new Date(report.checkedAt).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</span>}
      </div>
      {error && (
        <p className="admin-error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <ul className="admin-health-list">
          {report.items.map((i) => (
            <li key={i.id} className={`admin-health-item is-${i.status}`} data-testid={`admin-health-${i.id}`} data-status={i.status} data-code={i.code}>
              <span className="admin-health-name">{textOr(lang, `admin.health.${i.id}`, i.id)}</span>
              <span className="admin-health-badge">{textOr(lang, `admin.health.status.${i.status}`, i.status)}</span>
              <span className="admin-health-text">{codeText(lang, i.code)}</span>
              <span className="admin-health-detail">{i.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {report && report.unavailable.length > 0 && (
        <ul className="admin-unavailable" data-testid="admin-unavailable">
          {report.unavailable.map((u) => (
            <li key={u.packageId}>
              {t('admin.health.unavailable', { name: packageName(u.packageId) })} —{' '}
              {textOr(lang, `admin.health.offline.${u.code}`, u.code)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
