// Simulated payment: what the QR on the kiosk opens when the payment provider is 'simulated'.
import { useState } from 'react';
import { formatFen } from '../app/countdown';
import { useT } from '../app/prefs';
import type { PayInfo, PhoneApi } from './api';
import { PhoneError, PhoneShell } from './PhoneShell';
import { useTokenInfo } from './useTokenInfo';

export function PayPage({ api, token }: { api: PhoneApi; token: string }) {
  const t = useT();
  const [info, setInfo, error, setError] = useTokenInfo<PayInfo>(() => api.payInfo(token), [api, token]);
  const [busy, setBusy] = useState(false);

  async function confirm() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const r = await api.payConfirm(token);
    if (r.ok) setInfo((i) => (i ? { ...i, state: 'SUCCESS' } : i));
    else setError(r.error);
    setBusy(false);
  }

  return (
    <PhoneShell page="pay" title={t('phone.pay.title')}>
      {info && (
        <section className="phone-card">
          <p className="phone-desc">{info.description}</p>
          <p className="phone-label">{t('phone.pay.amount')}</p>
          <p className="phone-amount" data-testid="sim-pay-amount">
            {t('common.yuan', { amount: formatFen(info.amountFen) })}
          </p>
          {info.state === 'NOTPAY' && (
            <>
              <button type="button" className="btn btn-primary phone-btn" data-testid="sim-pay-confirm" disabled={busy} onClick={() => void confirm()}>
                {busy && <span className="spinner" aria-hidden />}
                {t('phone.pay.confirm')}
              </button>
              <p className="phone-note">{t('phone.pay.simulated')}</p>
            </>
          )}
          {info.state === 'SUCCESS' && (
            <div className="phone-success" data-testid="sim-pay-success">
              <span className="phone-check" aria-hidden>
                ✓
              </span>
              <strong>{t('phone.pay.success')}</strong>
              <span>{t('phone.pay.back')}</span>
            </div>
          )}
          {info.state === 'CLOSED' && <p className="phone-closed">{t('phone.pay.closed')}</p>}
        </section>
      )}
      {!info && !error && <p className="phone-wait">{t('common.loading')}</p>}
      <PhoneError error={error} />
    </PhoneShell>
  );
}
