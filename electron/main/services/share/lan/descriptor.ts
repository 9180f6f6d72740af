// The kiosk's own phone listener as the download share: a demo for a mall (phones must reach the
// kiosk on the LAN, links die with the kiosk), so the kiosk shows 演示模式 while it is active.
import { defineProvider } from '../../../providerDef';

export const lanShareProvider = defineProvider({
  id: 'lan',
  kind: 'share',
  label: 'LAN share',
  demo: true,
  env: [],
  secrets: [],
  create: (ctx) => ({ share: ctx.lanShare }),
});
