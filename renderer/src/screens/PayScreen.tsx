// The payment QR with its countdown. The order's own state decides what shows: paid → success,
// closed → back to the start. Free orders skip the QR. When the kiosk offers more than one method
// (微信 and 支付宝), both sit side by side above the QR: one tap switches, the kiosk closes the other
// method's trade properly and shows the new QR.
import { useEffect, useState } from 'react';
import type { PaymentMethodId } from '../../../electron/shared/contract';
import { chime } from '../audio/cues';
import { formatClock, formatFen, secondsLeft } from '../app/countdown';
import { useFlow } from '../app/flow';
import { endSession } from '../app/session';
import { usePollOrder } from '../app/usePollOrder';
import { usePrefs, useT } from '../app/prefs';
import { useAction } from '../app/useAction';
import { pickText } from '../i18n';
import { Button } from '../components/Button';
import { ErrorNote } from '../components/ErrorNote';
import { QrImage } from '../components/QrImage';
import { Screen } from '../components/Screen';
import { getKiosk } from '../platform/bridge';
import { statesWhere } from '../../../electron/shared/orderStates';

const SUCCESS_PAUSE_MS = 2000;
const CLOSED_PAUSE_MS = 4000;
const PAID_STATES = new Set<string>(statesWhere('paymentDone'));

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function PayScreen() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const order = useFlow((s) => s.order);
  const pkg = useFlow((s) => s.catalog?.packages.find((p) => p.id === s.order?.packageId) ?? null);
  const methods = useFlow((s) => s.catalog?.settings.paymentMethods ?? []);
  const now = useNow(500);
  usePollOrder(true);

  const state = order?.state;
  const paid = state ? PAID_STATES.has(state) : false;
  const payment = order?.payment ?? null;
  const [switchingTo, setSwitchingTo] = useState<PaymentMethodId | null>(null);
  // While the other method's trade is being closed the order passes through payment_closed: not an end.
  const closed = (state === 'payment_closed' || state === 'abandoned') && !switchingTo;
  const left = secondsLeft(payment?.expiresAt, now);

  const cancel = useAction(
    () => getKiosk().invoke('payment:cancel', { orderId: order?.id ?? '' }),
    (o) => {
      useFlow.getState().orderFrom('call', o);
      void endSession();
    },
  );

  const switchMethod = useAction(
    (method: PaymentMethodId) => {
      setSwitchingTo(method);
      return getKiosk().invoke('payment:start', { orderId: order?.id ?? '', packageId: order?.packageId ?? '', method });
    },
    (o) => {
      useFlow.getState().orderFrom('call', o);
      setSwitchingTo(null);
    },
  );
  useEffect(() => {
    if (switchMethod.error) setSwitchingTo(null);
  }, [switchMethod.error]);
  const current = switchingTo ?? payment?.method;

  useEffect(() => {
    if (!paid) return;
    chime();
    const timer = setTimeout(() => useFlow.getState().go('deliver'), SUCCESS_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [paid]);

  useEffect(() => {
    if (!closed) return;
    const timer = setTimeout(() => void endSession(), CLOSED_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [closed]);

  const amount = order?.amountFen ?? pkg?.priceFen ?? 0;
  return (
    <Screen
      name="pay"
      title={paid ? undefined : t('pay.title')}
      footer={
        !paid && !closed && !payment?.free ? (
          <Button testId="pay-cancel" variant="secondary" onClick={() => void cancel.run()} busy={cancel.busy}>
            {t('pay.cancel')}
          </Button>
        ) : undefined
      }
    >
      {paid ? (
        <div className="pay-success" data-testid="pay-success">
          <span className="success-mark" aria-hidden>
            ✓
          </span>
          <span>{payment?.free ? t('pay.freeSuccess') : t('pay.success')}</span>
        </div>
      ) : closed ? (
        <div className="pay-closed" data-testid="pay-closed">
          {order?.notice || t('pay.closed')}
        </div>
      ) : (
        <div className="pay-layout">
          <div className="pay-info">
            <dl className="pay-summary">
              <dt>{t('pay.package')}</dt>
              <dd data-testid="pay-package">{pkg ? pickText(lang, pkg.name) : ''}</dd>
              <dt>{t('pay.amount')}</dt>
              <dd className="pay-amount" data-testid="pay-amount">
                {t('common.yuan', { amount: formatFen(amount) })}
              </dd>
            </dl>
            {left !== null && (
              <p className={`pay-countdown${left <= 30 ? ' is-urgent' : ''}`} data-testid="pay-countdown">
                {left > 0 ? t('pay.remaining', { time: formatClock(left) }) : t('pay.expired')}
              </p>
            )}
          </div>
          <div className="pay-qr-column">
            {methods.length > 1 && (
              <div className="pay-methods" role="tablist" data-testid="pay-methods">
                {methods.map((m) => (
                  <button
                    key={m}
                    type="button"
                    role="tab"
                    aria-selected={current === m}
                    className={`pay-method pay-method-${m}${current === m ? ' is-active' : ''}`}
                    data-testid={`pay-method-${m}`}
                    disabled={switchMethod.busy}
                    onClick={() => {
                      if (current !== m) void switchMethod.run(m);
                    }}
                  >
                    {t(`pay.method.${m}`)}
                  </button>
                ))}
              </div>
            )}
            {payment?.codeUrl && payment.qrSvg && !switchingTo ? (
              <div className="pay-qr-box">
                <QrImage svg={payment.qrSvg} testId="pay-qr" alt={t('pay.scan')} data-code-url={payment.codeUrl} data-method={payment.method ?? ''} />
                <p className="pay-scan">{payment.method ? t(`pay.scan.${payment.method}`) : t('pay.scan')}</p>
              </div>
            ) : (
              <div className="pay-qr-box">
                <span className="spinner spinner-large" aria-hidden />
              </div>
            )}
          </div>
        </div>
      )}
      <ErrorNote error={cancel.error} onRetry={cancel.retry} busy={cancel.busy} />
      <ErrorNote error={switchMethod.error} onRetry={switchMethod.retry} busy={switchMethod.busy} />
    </Screen>
  );
}
