// The local compositor as a kiosk provider: no account, no network; it stands in for the AI
// (a demo: the kiosk shows 演示模式 while it is active).
import { defineProvider } from '../../../providerDef';
import { createLocalGenerator } from '.';
import { createCutoutService } from './segmenter';

export const localGeneratorProvider = defineProvider({
  id: 'local',
  kind: 'generator',
  label: 'local compositor',
  demo: true,
  env: [],
  secrets: [],
  create: (ctx) => {
    // Real person cut-outs in their own native worker (the model loads on the first cut-out).
    const cutouts = createCutoutService({ modelsDir: ctx.resources.modelsDir });
    return {
      generator: createLocalGenerator({ assetsDir: ctx.resources.assetsDir, detectFaces: (img) => ctx.checks.detectFaces(img), segment: cutouts.segment }),
      close: () => cutouts.close(),
    };
  },
});
