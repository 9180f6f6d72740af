// The alert robots: where the kiosk sends "paper out", "payment failing", "paid order needs
// attention" … (企业微信 group robot, 钉钉 robot with its signing secret, any JSON webhook). Addresses
// and secrets are write-only: the screen shows them masked and forgets what was typed once saved.
// "发送测试消息" sends a real message through the kiosk's alert sender and says what the robot answered.
import { useEffect, useState } from 'react';
import type { AlertRobotKind, AlertRobotTestResult, AlertRobotView, Lang } from '../../../electron/shared/contract';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { adminCall, adminErrorText, textOr } from './adminSession';

/** The robot's answer in words: catalogue text by code, the code itself kept for support. */
function testText(lang: Lang, r: AlertRobotTestResult, t: ReturnType<typeof useT>): string {
  if (r.ok) return t('admin.alerts.testOk');
  const shown = r.code.replace(/^ERRCODE_/, '');
  const reason = textOr(lang, `admin.alerts.code.${r.code}`, t('admin.alerts.code.other'));
  return t('admin.alerts.testFailed', { code: shown, reason });
}

export function AlertsTab() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [robots, setRobots] = useState<AlertRobotView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void adminCall('admin:get-alert-robots', {}).then((r) => (r.ok ? setRobots(r.value.robots) : setError(adminErrorText(lang, r.error))));
  }, [lang]);

  if (!robots) return <div className="admin-panel">{error ? <p className="admin-error">{error}</p> : t('common.loading')}</div>;
  return (
    <div className="admin-panel admin-alerts" data-testid="admin-alerts">
      <p className="admin-muted">{t('admin.alerts.intro')}</p>
      {robots.map((r) => (
        <RobotCard key={r.kind} robot={r} onSaved={setRobots} />
      ))}
    </div>
  );
}

function RobotCard({ robot, onSaved }: { robot: AlertRobotView; onSaved: (r: AlertRobotView[]) => void }) {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const kind: AlertRobotKind = robot.kind;
  const hasSecret = kind !== 'wecom';
  const [enabled, setEnabled] = useState(robot.enabled);
  const [address, setAddress] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [note, setNote] = useState<{ text: string; ok: boolean; code?: string } | null>(null);

  const save = async () => {
    setBusy('save');
    const r = await adminCall('admin:save-alert-robot', {
      kind,
      enabled,
      ...(address.trim() ? { address } : {}),
      ...(hasSecret && secret.trim() ? { secret } : {}),
    });
    setBusy(null);
    if (!r.ok) return setNote({ text: adminErrorText(lang, r.error), ok: false });
    // What was typed leaves the screen's memory as soon as it is stored.
    setAddress('');
    setSecret('');
    setNote({ text: t('admin.alerts.saved'), ok: true });
    onSaved(r.value.robots);
  };

  const test = async () => {
    setBusy('test');
    setNote(null);
    const r = await adminCall('admin:test-alert-robot', { kind });
    setBusy(null);
    if (!r.ok) return setNote({ text: adminErrorText(lang, r.error), ok: false });
    setNote({ text: testText(lang, r.value, t), ok: r.value.ok, code: r.value.code });
  };

  return (
    <section className="admin-section admin-robot" data-testid={`admin-robot-${kind}`} data-configured={robot.configured} data-enabled={robot.enabled}>
      <div className="admin-row">
        <h3 className="admin-row-name">{t(`admin.alerts.${kind}`)}</h3>
        <span className={robot.configured ? 'admin-ok' : 'admin-muted'} data-testid={`admin-robot-${kind}-target`}>
          {robot.configured ? t('admin.alerts.configured', { target: robot.target ?? '' }) : t('admin.alerts.notConfigured')}
        </span>
        {hasSecret && <span className={robot.secretSet ? 'admin-ok' : 'admin-muted'}>{robot.secretSet ? t('admin.alerts.secretSet') : t('admin.alerts.secretNotSet')}</span>}
      </div>
      <p className="admin-muted">{t(`admin.alerts.${kind}.help`)}</p>
      <div className="admin-row">
        <label className="admin-check">
          <input type="checkbox" data-testid={`admin-robot-${kind}-enabled`} checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t('admin.alerts.enabled')}
        </label>
        <WriteOnlyField
          className="admin-robot-address"
          testId={`admin-robot-${kind}-address`}
          label={t(`admin.alerts.${kind}.address`)}
          placeholder={robot.configured ? t('admin.alerts.keep') : ''}
          value={address}
          onChange={setAddress}
        />
        {kind !== 'wecom' && (
          <WriteOnlyField
            testId={`admin-robot-${kind}-secret`}
            label={t(`admin.alerts.${kind}.secret`)}
            placeholder={robot.secretSet ? t('admin.alerts.keep') : ''}
            value={secret}
            onChange={setSecret}
          />
        )}
      </div>
      <div className="admin-actions">
        <Button testId={`admin-robot-${kind}-save`} busy={busy === 'save'} disabled={busy !== null} onClick={() => void save()}>
          {t('admin.alerts.save')}
        </Button>
        <Button testId={`admin-robot-${kind}-test`} variant="secondary" busy={busy === 'test'} disabled={busy !== null || !robot.configured} onClick={() => void test()}>
          {t('admin.alerts.test')}
        </Button>
      </div>
      {note && (
        <p className={note.ok ? 'admin-ok' : 'admin-error'} data-testid={`admin-robot-${kind}-result`} data-ok={note.ok} data-code={note.code ?? ''}>
          {note.text}
        </p>
      )}
    </section>
  );
}

/** A value the screen sends once and never shows again (an address with its key, a secret). */
function WriteOnlyField(p: { testId: string; label: string; placeholder: string; value: string; onChange: (v: string) => void; className?: string }) {
  return (
    <label className={`admin-field${p.className ? ` ${p.className}` : ''}`}>
      <span className="admin-label">{p.label}</span>
      <input className="admin-input" type="password" autoComplete="off" data-testid={p.testId} placeholder={p.placeholder} value={p.value} onChange={(e) => p.onChange(e.target.value)} />
    </label>
  );
}
