// The local compositor as a kiosk provider: no account, no network; it stands in for the AI
// (a demo: the kiosk shows 演示模式 while it is active).
import { defineProvider } from '../../../providerDef';
import { createLocalGenerator } from '.';

export const localGeneratorProvider = defineProvider({
  id: 'local',
  kind: 'generator',
  label: 'local compositor',
  demo: true,
  env: [],
  secrets: [],
  create: (ctx) => ({
    generator: createLocalGenerator({ assetsDir: ctx.resources.assetsDir, detectFaces: (img) => ctx.checks.detectFaces(img) }),
  }),
});
