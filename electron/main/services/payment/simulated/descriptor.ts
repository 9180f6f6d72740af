// The simulated payment page as a kiosk provider: a demo (no money moves), refused on a
// LAN-facing phone listener unless allowDemoPayment is set (see saleGuard.ts).
import { defineProvider } from '../../../providerDef';
import { SimulatedPayment } from '.';

export const simulatedPaymentProvider = defineProvider({
  id: 'simulated',
  kind: 'payment',
  label: 'simulated payment',
  demo: true,
  env: [],
  secrets: [],
  create: (ctx) => {
    const simPayment = new SimulatedPayment({ db: ctx.db, baseUrl: ctx.phoneBaseUrl, onPaid: ctx.onSimulatedPaid });
    return { payment: simPayment, simPayment };
  },
});
