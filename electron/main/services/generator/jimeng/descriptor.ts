// Jimeng (Volcengine Visual API) image generation as a kiosk provider. The Volcengine keys are
// shared with Jimeng video (motion): both read them through BuildContext.volcengine(), once.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineProvider, zodIssues, type ConfigIssue } from '../../../providerDef';
import type { QueuedOssShare } from '../../share/oss/queuedOssShare';
import type { Db } from '../../store/db';
import { createJimengProvider, JIMENG_SECRET_NAMES, volcengineConfig } from '.';

/** The Volcengine credentials: secret names and environment, declared once for images and video. */
export const VOLCENGINE_SECRETS = [
  { name: JIMENG_SECRET_NAMES.accessKey, env: 'JIMENG_ACCESS_KEY' },
  { name: JIMENG_SECRET_NAMES.secretKey, env: 'JIMENG_SECRET_KEY' },
] as const;
export const VOLCENGINE_ENV = ['JIMENG_ENDPOINT', 'JIMENG_ACCESS_KEY', 'JIMENG_SECRET_KEY', 'JIMENG_CONCURRENCY'] as const;
export const DEFAULT_VOLCENGINE_ENDPOINT = 'https://visual.volcengineapi.com';

/** Checks the `jimeng` section as Jimeng images and video read it (keys may be set later). */
export function checkVolcengine(section: unknown, env: NodeJS.ProcessEnv): ConfigIssue[] {
  try {
    volcengineConfig({ fileSection: section, env });
    return [];
  } catch (e) {
    return zodIssues('jimeng', e);
  }
}

export function volcengineEndpoint(section: unknown, env: NodeJS.ProcessEnv): string {
  const s = section && typeof section === 'object' ? (section as { endpoint?: unknown }).endpoint : undefined;
  return env.JIMENG_ENDPOINT || (typeof s === 'string' && s ? s : DEFAULT_VOLCENGINE_ENDPOINT);
}

export const jimengGeneratorProvider = defineProvider({
  id: 'jimeng',
  kind: 'generator',
  label: 'Jimeng (Volcengine)',
  demo: false,
  section: 'jimeng',
  env: VOLCENGINE_ENV,
  secrets: VOLCENGINE_SECRETS,
  check: (config, env) => checkVolcengine(config.jimeng, env),
  endpoint: (config, env) => volcengineEndpoint(config.jimeng, env),
  create: (ctx) => {
    const jimeng = createJimengProvider({
      fileSection: ctx.config.jimeng,
      config: ctx.volcengine(),
      env: ctx.env,
      assetsDir: ctx.resources.assetsDir,
      dataDir: ctx.paths.root,
      kioskId: ctx.config.kioskId,
      signedUrlFor: ctx.oss ? originalsUploader(ctx.oss, ctx.db, ctx.paths.work) : undefined,
    });
    return { generator: jimeng.generator, concurrency: jimeng.concurrency, aiBudget: jimeng.costGuard, close: () => jimeng.close() };
  },
});

/**
 * Jimeng 4.0 reads the family's photos from URLs: each goes to the private originals prefix and is
 * passed as a short-lived signed URL. The key is recorded so retention deletes it explicitly
 * (OSS lifecycle rules only round to days).
 */
function originalsUploader(oss: QueuedOssShare, db: Db, workDir: string): (jpeg: Buffer) => Promise<string> {
  return async (jpeg) => {
    const key = `${createHash('sha256').update(jpeg).digest('hex').slice(0, 32)}.jpg`;
    db.prepare('INSERT OR IGNORE INTO cloud_originals (key, created_at) VALUES (?, ?)').run(key, new Date().toISOString());
    mkdirSync(workDir, { recursive: true });
    const tmp = join(workDir, `upload-${key}`);
    writeFileSync(tmp, jpeg, { mode: 0o600 });
    try {
      await oss.putOriginal(key, tmp, 'image/jpeg');
    } finally {
      rmSync(tmp, { force: true });
    }
    return oss.signedGetUrl(key, 600);
  };
}
