// Maintenance: test page, paper refilled, log export, PIN change, and leaving kiosk mode (after a
// confirmation, because afterwards nobody can use the kiosk until someone starts it again).
import { useEffect, useState } from 'react';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { adminCall, adminErrorText, offerDownload } from './adminSession';

export function ToolsTab() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ id: string; text: string; ok: boolean } | null>(null);
  const [paper, setPaper] = useState<{ remaining: number; capacity: number } | null>(null);
  const [capacity, setCapacity] = useState('');
  const [oldPin, setOldPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [confirmExit, setConfirmExit] = useState(false);
  const [exiting, setExiting] = useState(false);

  useEffect(() => {
    void adminCall('admin:get-health', {}).then((r) => {
      if (r.ok) {
        setPaper(r.value.paper);
        setCapacity(String(r.value.paper.capacity));
      }
    });
  }, []);

  const say = (id: string, text: string, ok: boolean) => setMessage({ id, text, ok });

  const testPrint = async () => {
    setBusy('print');
    const r = await adminCall('admin:test-print', {});
    setBusy(null);
    if (!r.ok) return say('print', adminErrorText(lang, r.error), false);
    say('print', r.value.printed ? t('admin.tools.testPrinted') : t('admin.tools.testPrintFailed', { detail: r.value.detail }), r.value.printed);
  };

  const resetPaper = async () => {
    const n = Number(capacity);
    setBusy('paper');
    const r = await adminCall('admin:reset-paper', Number.isInteger(n) && n > 0 ? { capacity: n } : {});
    setBusy(null);
    if (r.ok) {
      setPaper(r.value);
      say('paper', t('admin.tools.paper', { remaining: r.value.remaining, capacity: r.value.capacity }), true);
    } else say('paper', adminErrorText(lang, r.error), false);
  };

  const exportLogs = async () => {
    setBusy('logs');
    const r = await adminCall('admin:export-logs', {});
    setBusy(null);
    if (!r.ok) return say('logs', adminErrorText(lang, r.error), false);
    if (!r.value.text) return say('logs', t('admin.tools.logsEmpty'), false);
    offerDownload(r.value.fileName, r.value.text, 'text/plain;charset=utf-8');
  };

  const changePin = async () => {
    setBusy('pin');
    const r = await adminCall('admin:change-pin', { oldPin, newPin });
    setBusy(null);
    setOldPin('');
    setNewPin('');
    say('pin', r.ok ? t('admin.tools.pinChanged') : adminErrorText(lang, r.error), r.ok);
  };

  const exit = async () => {
    setExiting(true);
    const r = await adminCall('admin:exit-kiosk', { confirm: true });
    if (!r.ok) {
      setExiting(false);
      say('exit', adminErrorText(lang, r.error), false);
    }
  };

  const note = (id: string) =>
    message?.id === id && (
      <p className={message.ok ? 'admin-ok' : 'admin-error'} data-testid={`admin-tools-${id}-result`} data-ok={message.ok}>
        {message.text}
      </p>
    );

  if (exiting) return <div className="admin-panel admin-exiting" data-testid="admin-exiting">{t('admin.tools.exiting')}</div>;

  return (
    <div className="admin-panel admin-tools" data-testid="admin-tools">
      <section className="admin-section">
        <Button testId="admin-test-print" busy={busy === 'print'} onClick={() => void testPrint()}>
          {t('admin.tools.testPrint')}
        </Button>
        {note('print')}
      </section>

      <section className="admin-section">
        {paper && (
          <p data-testid="admin-paper">{t('admin.tools.paper', { remaining: paper.remaining, capacity: paper.capacity })}</p>
        )}
        <div className="admin-row">
          <label className="admin-field">
            <span className="admin-label">{t('admin.tools.paperCapacity')}</span>
            <input className="admin-input" inputMode="numeric" data-testid="admin-paper-capacity" value={capacity} onChange={(e) => setCapacity(e.target.value)} />
          </label>
          <Button testId="admin-paper-reset" variant="secondary" busy={busy === 'paper'} onClick={() => void resetPaper()}>
            {t('admin.tools.paperReset')}
          </Button>
        </div>
        {note('paper')}
      </section>

      <section className="admin-section">
        <Button testId="admin-logs" variant="secondary" busy={busy === 'logs'} onClick={() => void exportLogs()}>
          {t('admin.tools.logs')}
        </Button>
        {note('logs')}
      </section>

      <section className="admin-section">
        <h3>{t('admin.tools.changePin')}</h3>
        <div className="admin-row">
          <label className="admin-field">
            <span className="admin-label">{t('admin.tools.oldPin')}</span>
            <input className="admin-input" type="password" inputMode="numeric" autoComplete="off" data-testid="admin-old-pin" value={oldPin} onChange={(e) => setOldPin(e.target.value.replace(/\D/g, ''))} />
          </label>
          <label className="admin-field">
            <span className="admin-label">{t('admin.tools.newPin')}</span>
            <input className="admin-input" type="password" inputMode="numeric" autoComplete="off" data-testid="admin-new-pin" value={newPin} onChange={(e) => setNewPin(e.target.value.replace(/\D/g, ''))} />
          </label>
          <Button testId="admin-change-pin" variant="secondary" busy={busy === 'pin'} disabled={oldPin.length < 4 || newPin.length < 4} onClick={() => void changePin()}>
            {t('admin.tools.changePin')}
          </Button>
        </div>
        {note('pin')}
      </section>

      <section className="admin-section admin-danger">
        {!confirmExit ? (
          <Button testId="admin-exit-kiosk" variant="secondary" onClick={() => setConfirmExit(true)}>
            {t('admin.tools.exit')}
          </Button>
        ) : (
          <div className="admin-dialog" role="dialog">
            <p>{t('admin.tools.exitConfirm')}</p>
            <div className="admin-actions">
              <Button testId="admin-exit-confirm" onClick={() => void exit()}>
                {t('admin.tools.exitYes')}
              </Button>
              <Button testId="admin-exit-cancel" variant="secondary" onClick={() => setConfirmExit(false)}>
                {t('admin.orders.cancel')}
              </Button>
            </div>
          </div>
        )}
        {note('exit')}
      </section>
    </div>
  );
}
