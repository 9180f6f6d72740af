// The money path's crash test (see crashPayment.ts) paying through WeChat Pay APIv3 against its
// protocol-faithful simulator.
import { startWeChatPaySimulator } from '../electron/sim/wechatpay/simulator';
import { crashPaymentSuite } from './crashPayment';

const REFUNDS = '/v3/refund/domestic/refunds';
const CREATE = '/v3/pay/transactions/native';

crashPaymentSuite({
  name: 'WeChat Pay',
  tag: 'crash-payment',
  async start(keyDir) {
    const sim = await startWeChatPaySimulator({ keyDir, refundDelayMs: 100 });
    return {
      env: { ...sim.env, KIOSK_PAYMENT: 'wechatpay' },
      trades: () => sim.books().orders,
      totals: () => ({ ...sim.books().totals, trades: sim.books().totals.orders }),
      pay: (no) => sim.pay(no),
      scanWithoutPaying: () => undefined, // a WeChat trade exists from its create; a scan changes nothing
      refuseNextClose: (no) => sim.inject({ kind: 'error', status: 403, code: 'NO_AUTH', path: `/v3/pay/transactions/out-trade-no/${no}/close` }),
      refundTimesOut: (processed) => sim.inject({ kind: 'timeout', path: REFUNDS, process: processed, ms: 120_000 }),
      createTimesOut: (processed) => sim.inject({ kind: 'timeout', path: CREATE, process: processed, ms: 120_000 }),
      requestCount: () => sim.requests().length,
      refundRequestedSince: (i) => sim.requests().slice(i).some((q) => q.path === REFUNDS),
      timedOutSince: (i) => sim.requests().slice(i).some((q) => q.fault === 'timeout'),
      clearFaults: () => sim.clearFaults(),
      refundsAllSucceeded: () => sim.books().refunds.every((x) => x.status === 'SUCCESS'),
      checkUnpaidTrades() {
        // WeChat closes a trade on request, scanned or not: every unpaid one is CLOSED.
        const unpaid = sim.books().orders.filter((o) => !o.paid);
        if (!unpaid.every((o) => o.state === 'CLOSED')) throw new Error(`unpaid WeChat trades left open: ${unpaid.filter((o) => o.state !== 'CLOSED').map((o) => o.outTradeNo).join(', ')}`);
        return `${unpaid.length} closed unpaid`;
      },
      close: () => sim.close(),
    };
  },
});
