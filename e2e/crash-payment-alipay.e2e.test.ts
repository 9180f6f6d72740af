// The money path's crash test (see crashPayment.ts) paying through Alipay 当面付 against its
// protocol-faithful simulator: a QR that exists at Alipay only once scanned, synchronous refunds.
import { startAlipaySimulator } from '../electron/sim/alipay/simulator';
import { crashPaymentSuite } from './crashPayment';

crashPaymentSuite({
  name: 'Alipay',
  tag: 'crash-payment-alipay',
  async start(keyDir) {
    const sim = await startAlipaySimulator({ keyDir });
    return {
      env: { ...sim.env, KIOSK_PAYMENT: 'alipay' },
      trades: () => sim.books().trades,
      totals: () => sim.books().totals,
      pay: (no) => sim.pay(no),
      scanWithoutPaying: (no) => sim.scan(no),
      refuseNextClose(no) {
        // Alipay can only refuse to close a trade it knows, i.e. one already scanned.
        sim.scan(no);
        sim.inject({ kind: 'error', code: '40004', subCode: 'ACQ.ACCESS_FORBIDDEN', method: 'alipay.trade.close' });
      },
      refundTimesOut: (processed) => sim.inject({ kind: 'timeout', method: 'alipay.trade.refund', process: processed, ms: 120_000 }),
      createTimesOut: (processed) => sim.inject({ kind: 'timeout', method: 'alipay.trade.precreate', process: processed, ms: 120_000 }),
      requestCount: () => sim.requests().length,
      refundRequestedSince: (i) => sim.requests().slice(i).some((q) => q.method === 'alipay.trade.refund'),
      timedOutSince: (i) => sim.requests().slice(i).some((q) => q.fault === 'timeout'),
      clearFaults: () => sim.clearFaults(),
      refundsAllSucceeded: () => sim.refunds().every((x) => x.refundFen > 0),
      checkUnpaidTrades(kioskPayments) {
        // None left payable: closed at Alipay, or never scanned — such a QR dies at its time_expire,
        // and until then the kiosk keeps it in "closing" (then "failed"), never forgotten.
        const unpaid = sim.books().trades.filter((o) => !o.paid);
        for (const t of unpaid) {
          const ok = t.status === 'NOT_SCANNED' ? ['closing', 'failed'].includes(kioskPayments.get(t.outTradeNo) ?? '') : t.status === 'TRADE_CLOSED';
          if (!ok) throw new Error(`unpaid Alipay trade ${t.outTradeNo} left payable (Alipay ${t.status}, kiosk ${kioskPayments.get(t.outTradeNo)})`);
        }
        const notScanned = unpaid.filter((o) => o.status === 'NOT_SCANNED').length;
        return `${unpaid.length - notScanned} closed unpaid, ${notScanned} never scanned`;
      },
      close: () => sim.close(),
    };
  },
});
