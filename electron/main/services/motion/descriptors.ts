// The 微动态 renderers as kiosk providers; they share config.json's `motion` section. Local
// (ffmpeg) is a real renderer that makes the delivered clip (and Jimeng's fallback), not a demo.
// Jimeng video uses the Volcengine keys read once for images and video (BuildContext.volcengine).
import { defineProvider, zodIssues, type ConfigIssue } from '../../providerDef';
import { checkVolcengine, VOLCENGINE_ENV, VOLCENGINE_SECRETS, volcengineEndpoint } from '../generator/jimeng/descriptor';
import { createMotionRenderer, motionConfigFromEnv } from '.';

const MOTION_ENV = ['MOTION_EFFECT', 'MOTION_LIVE_PHOTO', 'MOTION_JIMENG_REQ_KEY', 'FFMPEG_PATH', 'FFPROBE_PATH'] as const;

function checkMotion(section: unknown, env: NodeJS.ProcessEnv): ConfigIssue[] {
  try {
    motionConfigFromEnv(section, env);
    return [];
  } catch (e) {
    return zodIssues('motion', e);
  }
}

export const localMotionProvider = defineProvider({
  id: 'local',
  kind: 'motion',
  label: 'local ffmpeg renderer',
  demo: false,
  section: 'motion',
  env: MOTION_ENV,
  secrets: [],
  check: (config, env) => checkMotion(config.motion, env),
  create: (ctx) => ({
    motion: createMotionRenderer(motionConfigFromEnv(ctx.config.motion, ctx.env, 'local'), { assetsDir: ctx.resources.assetsDir, dataDir: ctx.paths.root, env: ctx.env }),
  }),
});

export const jimengMotionProvider = defineProvider({
  id: 'jimeng',
  kind: 'motion',
  label: 'Jimeng image-to-video',
  demo: false,
  section: 'motion',
  env: [...MOTION_ENV, ...VOLCENGINE_ENV],
  secrets: VOLCENGINE_SECRETS,
  check: (config, env) => [...checkMotion(config.motion, env), ...checkVolcengine(config.jimeng, env)],
  endpoint: (config, env) => volcengineEndpoint(config.jimeng, env),
  create: (ctx) => {
    let jimengConfig;
    try {
      jimengConfig = ctx.volcengine();
    } catch {
      // createMotionRenderer logs it and renders locally (the designed fallback of 微动态).
    }
    const motion = createMotionRenderer(motionConfigFromEnv(ctx.config.motion, ctx.env, 'jimeng'), {
      assetsDir: ctx.resources.assetsDir,
      dataDir: ctx.paths.root,
      jimengSection: ctx.config.jimeng,
      jimengConfig,
      secrets: ctx.secrets,
      env: ctx.env,
      kioskId: ctx.config.kioskId,
    });
    return { motion, close: () => motion.close() };
  },
});
