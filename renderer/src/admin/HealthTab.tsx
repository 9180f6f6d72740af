// Health at a glance: one row per part of the kiosk, a coloured status, what it means in plain
// words (catalogue text by code) and the technical detail for support underneath.
import { useCallback, useEffect, useState } from 'react';
import type { HealthReport, Lang } from '../../../electron/shared/contract';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { pickText } from '../i18n';
import { adminCall, adminErrorText, textOr } from './adminSession';
import { getKiosk } from '../platform/bridge';

/**
 * Opens the camera for a moment and tells main whether it worked: the operator's check after
 * replugging a camera, without walking through a customer's order.
 */
async function testCamera(): Promise<void> {
  let ok = false;
  let detail = '';
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    const track = stream.getVideoTracks()[0];
    ok = track?.readyState === 'live';
    const size = track?.getSettings();
    detail = track ? `${track.label || 'camera'} ${size?.width ?? '?'}x${size?.height ?? '?'}` : 'no video track';
    for (const t of stream.getTracks()) t.stop();
  } catch (e) {
    detail = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 200);
  }
  await getKiosk().invoke('health:report-camera', { ok, detail: detail.slice(0, 200) });
}

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
        <Button
          testId="admin-camera-test"
          variant="secondary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void testCamera().finally(() => void load(false));
          }}
        >
          {t('admin.health.cameraTest')}
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
