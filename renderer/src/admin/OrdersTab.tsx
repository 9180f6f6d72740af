// Orders and sales: today's takings, the last 7 days, by package, refunds against the daily cap;
// the orders that need a person first (refund pending or failed, print failed …), then the rest.
// Reprint and refund (with a reason) are per order, and a disputed payment settled in the merchant
// platform is marked so (with a note); the CSV goes to a file for the accountant.
import { useCallback, useEffect, useState } from 'react';
import type { AdminOrderRow, SalesReport } from '../../../electron/shared/contract';
import { formatFen } from '../app/countdown';
import { useFlow } from '../app/flow';
import { usePrefs, useT } from '../app/prefs';
import { Button } from '../components/Button';
import { pickText } from '../i18n';
import { adminCall, adminErrorText, offerDownload, textOr } from './adminSession';

export function OrdersTab() {
  const t = useT();
  const lang = usePrefs((s) => s.lang);
  const catalog = useFlow((s) => s.catalog);
  const [sales, setSales] = useState<SalesReport | null>(null);
  const [orders, setOrders] = useState<AdminOrderRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refunding, setRefunding] = useState<AdminOrderRow | null>(null);
  const [resolving, setResolving] = useState<AdminOrderRow | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    const [s, o] = await Promise.all([adminCall('admin:sales-report', {}), adminCall('admin:list-orders', {})]);
    if (s.ok) setSales(s.value);
    if (o.ok) setOrders(o.value);
    const failed = !s.ok ? s : !o.ok ? o : null;
    setError(failed && !failed.ok ? adminErrorText(lang, failed.error) : null);
  }, [lang]);

  useEffect(() => {
    void load();
  }, [load]);

  const packageName = (id: string | null) => {
    if (!id) return '—';
    const p = catalog?.packages.find((x) => x.id === id);
    return p ? pickText(lang, p.name) : id;
  };
  const yuan = (fen: number) => t('common.yuan', { amount: formatFen(fen) });

  const reprint = async (o: AdminOrderRow) => {
    setBusy(`reprint-${o.id}`);
    const r = await adminCall('admin:reprint', { orderId: o.id });
    setBusy(null);
    setNotes((n) => ({ ...n, [o.id]: r.ok ? (r.value.printed ? t('admin.orders.reprinted') : t('admin.orders.reprintFailed')) : adminErrorText(lang, r.error) }));
    await load();
  };

  const refund = async () => {
    if (!refunding) return;
    setBusy(`refund-${refunding.id}`);
    const r = await adminCall('admin:refund', { orderId: refunding.id, reason: reason.trim() });
    setBusy(null);
    if (!r.ok) {
      setNotes((n) => ({ ...n, [refunding.id]: adminErrorText(lang, r.error) }));
    } else setNotes((n) => ({ ...n, [refunding.id]: '' }));
    setRefunding(null);
    setReason('');
    await load();
  };

  const resolve = async () => {
    if (!resolving) return;
    setBusy(`resolve-${resolving.id}`);
    const r = await adminCall('admin:resolve-dispute', { orderId: resolving.id, note: reason.trim() });
    setBusy(null);
    setNotes((n) => ({ ...n, [resolving.id]: r.ok ? '' : adminErrorText(lang, r.error) }));
    setResolving(null);
    setReason('');
    await load();
  };

  const exportCsv = async () => {
    setBusy('csv');
    const r = await adminCall('admin:export-csv', { days: 7 });
    setBusy(null);
    if (r.ok) offerDownload(r.value.fileName, r.value.csv, 'text/csv;charset=utf-8');
    else setError(adminErrorText(lang, r.error));
  };

  const refundText = (o: AdminOrderRow) => {
    if (!o.refund) return null;
    if (o.refund.state === 'success') return t('admin.orders.refunded', { amount: formatFen(o.refund.amountFen) });
    if (o.refund.state === 'failed') return t('admin.orders.refundFailedState');
    return t('admin.orders.refundPending');
  };

  const attention = orders?.filter((o) => o.attention.length > 0) ?? [];
  const rest = orders?.filter((o) => o.attention.length === 0) ?? [];

  const row = (o: AdminOrderRow) => (
    <tr key={o.id} data-testid={`admin-order-${o.id}`} data-state={o.state} className={o.attention.length ? 'needs-attention' : undefined}>
      <td>{new Date(o.createdAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
      <td>{packageName(o.packageId)}</td>
      <td>{o.amountFen === null ? '—' : yuan(o.amountFen)}</td>
      <td>
        {textOr(lang, `admin.state.${o.state}`, o.state)}
        {o.attention.map((a) => (
          <span key={a} className="admin-tag" data-testid={`admin-attention-${o.id}-${a}`}>
            {textOr(lang, `admin.attention.${a}`, a)}
          </span>
        ))}
        {refundText(o) && <div className="admin-muted">{refundText(o)}</div>}
        {notes[o.id] && (
          <div className="admin-note" data-testid={`admin-order-note-${o.id}`}>
            {notes[o.id]}
          </div>
        )}
      </td>
      <td className="admin-actions">
        {o.canReprint && (
          <Button testId={`admin-reprint-${o.id}`} variant="secondary" busy={busy === `reprint-${o.id}`} disabled={busy !== null} onClick={() => void reprint(o)}>
            {t('admin.orders.reprint')}
          </Button>
        )}
        {o.canRefund && (
          <Button testId={`admin-refund-${o.id}`} variant="secondary" disabled={busy !== null} onClick={() => setRefunding(o)}>
            {t('admin.orders.refund')}
          </Button>
        )}
        {o.canResolve && (
          <Button testId={`admin-resolve-${o.id}`} variant="secondary" disabled={busy !== null} onClick={() => setResolving(o)}>
            {t('admin.orders.resolve')}
          </Button>
        )}
      </td>
    </tr>
  );

  return (
    <div className="admin-panel" data-testid="admin-orders">
      {error && (
        <p className="admin-error" role="alert">
          {error}
        </p>
      )}
      {sales && (
        <section className="admin-section admin-sales" data-testid="admin-sales">
          <div className="admin-stats">
            <div className="admin-stat">
              <span className="admin-label">
                {t('admin.sales.today')} · {t('admin.sales.orders')}
              </span>
              <strong data-testid="admin-sales-today-orders">{sales.today.orders}</strong>
            </div>
            <div className="admin-stat">
              <span className="admin-label">{t('admin.sales.gross')}</span>
              <strong data-testid="admin-sales-today-gross">{yuan(sales.today.grossFen)}</strong>
            </div>
            <div className="admin-stat">
              <span className="admin-label">{t('admin.sales.refunds')}</span>
              <strong data-testid="admin-sales-today-refunds">{yuan(sales.today.refundsFen)}</strong>
            </div>
            <div className="admin-stat">
              <span className="admin-label">{t('admin.sales.net')}</span>
              <strong data-testid="admin-sales-today-net">{yuan(sales.today.netFen)}</strong>
            </div>
            <div className="admin-stat">
              <span className="admin-label">{t('admin.sales.free')}</span>
              <strong>{sales.today.free}</strong>
            </div>
          </div>
          <p className="admin-muted" data-testid="admin-refund-cap">
            {t('admin.sales.refundCap', { used: formatFen(sales.refundCap.usedTodayFen), cap: formatFen(sales.refundCap.capFen) })}
          </p>
          <div className="admin-two">
            <table className="admin-table">
              <caption>{t('admin.sales.week')}</caption>
              <tbody>
                {sales.days.map((d) => (
                  <tr key={d.date}>
                    <td>{d.date}</td>
                    <td>{d.orders}</td>
                    <td>{yuan(d.grossFen)}</td>
                    <td>{d.refundsFen ? `-${yuan(d.refundsFen)}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="admin-table" data-testid="admin-sales-by-package">
              <caption>{t('admin.sales.byPackage')}</caption>
              <tbody>
                {sales.byPackage.map((p) => (
                  <tr key={p.packageId} data-testid={`admin-sales-package-${p.packageId}`}>
                    <td>{packageName(p.packageId)}</td>
                    <td>{p.orders}</td>
                    <td>{yuan(p.grossFen)}</td>
                  </tr>
                ))}
                {/* An empty table squeezed its caption to one character per line. */}
                {sales.byPackage.length === 0 && (
                  <tr>
                    <td className="admin-muted">{t('admin.sales.none')}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Button testId="admin-csv" variant="secondary" busy={busy === 'csv'} onClick={() => void exportCsv()}>
            {t('admin.orders.csv')}
          </Button>
        </section>
      )}

      {refunding && (
        <div className="admin-dialog" role="dialog" data-testid="admin-refund-dialog">
          <label className="admin-field">
            <span className="admin-label">{t('admin.orders.refundReason')}</span>
            <input className="admin-input" data-testid="admin-refund-reason" value={reason} maxLength={80} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="admin-actions">
            <Button
              testId="admin-refund-confirm"
              busy={busy === `refund-${refunding.id}`}
              disabled={reason.trim().length < 2}
              onClick={() => void refund()}
            >
              {t('admin.orders.refundConfirm', { amount: formatFen(refunding.amountFen ?? 0) })}
            </Button>
            <Button testId="admin-refund-cancel" variant="secondary" onClick={() => setRefunding(null)}>
              {t('admin.orders.cancel')}
            </Button>
          </div>
        </div>
      )}

      {resolving && (
        <div className="admin-dialog" role="dialog" data-testid="admin-resolve-dialog">
          <label className="admin-field">
            <span className="admin-label">{t('admin.orders.resolveNote')}</span>
            <input className="admin-input" data-testid="admin-resolve-note" value={reason} maxLength={80} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="admin-actions">
            <Button testId="admin-resolve-confirm" busy={busy === `resolve-${resolving.id}`} disabled={reason.trim().length < 2} onClick={() => void resolve()}>
              {t('admin.orders.resolveConfirm')}
            </Button>
            <Button testId="admin-resolve-cancel" variant="secondary" onClick={() => setResolving(null)}>
              {t('admin.orders.cancel')}
            </Button>
          </div>
        </div>
      )}

      {orders && orders.length === 0 && <p className="admin-muted">{t('admin.orders.none')}</p>}
      {orders && orders.length > 0 && (
        <table className="admin-table admin-orders-table">
          <thead>
            <tr>
              <th>{t('admin.orders.time')}</th>
              <th>{t('admin.orders.package')}</th>
              <th>{t('admin.orders.amount')}</th>
              <th>{t('admin.orders.state')}</th>
              <th />
            </tr>
          </thead>
          {attention.length > 0 && (
            <tbody data-testid="admin-orders-attention">
              <tr>
                <th colSpan={5}>{t('admin.orders.attention')}</th>
              </tr>
              {attention.map(row)}
            </tbody>
          )}
          <tbody data-testid="admin-orders-recent">
            <tr>
              <th colSpan={5}>{t('admin.orders.recent')}</th>
            </tr>
            {rest.map(row)}
          </tbody>
        </table>
      )}
    </div>
  );
}
