// Alibaba Cloud OSS as the download share (and the private originals Jimeng 4.0 reads).
import { defineProvider, zodIssues, type ConfigIssue } from '../../../providerDef';
import type { SecretStore } from '../../config/secrets';
import { OssConfigError, ossConfigFromEnv, type OssConfig } from './config';
import { createQueuedOssShare } from './queuedOssShare';

export const OSS_SECRETS = [
  { name: 'oss.access-key-id', env: 'OSS_ACCESS_KEY_ID' },
  { name: 'oss.access-key-secret', env: 'OSS_ACCESS_KEY_SECRET' },
] as const;

/** The `oss` section with the keys from the secret store when the file has none (env still wins). */
function withSecrets(section: unknown, secrets: SecretStore | null): Record<string, unknown> {
  const s: Record<string, unknown> = section && typeof section === 'object' && !Array.isArray(section) ? { ...(section as Record<string, unknown>) } : {};
  if (!s.accessKeyId) s.accessKeyId = secrets?.get('oss.access-key-id') ?? undefined;
  if (!s.accessKeySecret) s.accessKeySecret = secrets?.get('oss.access-key-secret') ?? undefined;
  return s;
}

/** The OSS settings as the share resolves them (the fleet uses the same bucket and keys). */
export function resolveOssConfig(section: unknown, env: NodeJS.ProcessEnv, secrets: SecretStore | null): OssConfig | null {
  return resolve(section, env, secrets);
}

function resolve(section: unknown, env: NodeJS.ProcessEnv, secrets: SecretStore | null): OssConfig | null {
  return ossConfigFromEnv(withSecrets(section, secrets), env);
}

export const ossShareProvider = defineProvider({
  id: 'oss',
  kind: 'share',
  label: 'Aliyun OSS',
  demo: false,
  section: 'oss',
  env: [
    'OSS_ENDPOINT',
    'OSS_BUCKET',
    'OSS_REGION',
    'OSS_ACCESS_KEY_ID',
    'OSS_ACCESS_KEY_SECRET',
    'OSS_STS_TOKEN',
    'OSS_STS_REFRESH_URL',
    'OSS_PUBLIC_BASE_URL',
    'OSS_LINK_SECRET',
    'OSS_PATH_STYLE',
  ],
  secrets: OSS_SECRETS,
  check: (config, env, secrets): ConfigIssue[] => {
    try {
      return resolve(config.oss, env, secrets) ? [] : [{ path: 'oss.bucket', message: 'OSS is chosen but no bucket is configured' }];
    } catch (e) {
      if (e instanceof OssConfigError) return e.issues.map((i) => ({ path: `oss.${i.split(':')[0]}`, message: i }));
      return zodIssues('oss', e);
    }
  },
  endpoint: (config, env) => {
    const c = config.oss as { endpoint?: unknown; region?: unknown };
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const region = str(env.OSS_REGION) ?? str(c.region);
    const derived = region ? `https://${region.startsWith('oss-') ? region : `oss-${region}`}.aliyuncs.com` : undefined;
    return str(env.OSS_ENDPOINT) ?? str(c.endpoint) ?? derived;
  },
  create: (ctx) => {
    const ossConfig = resolve(ctx.config.oss, ctx.env, ctx.secrets);
    if (!ossConfig) throw new Error('providers.share is "oss" but the oss section (bucket, region, credentials) is incomplete — see README "Object storage"');
    const oss = createQueuedOssShare(ossConfig, { stateDir: ctx.paths.root, onAttempt: ctx.onUploadAttempt });
    oss.start();
    return { share: oss, oss, close: () => oss.stop() };
  },
});
