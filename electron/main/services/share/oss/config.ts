// Alibaba Cloud OSS settings: the `oss` section of the kiosk config, overridden by environment
// variables. Credentials: a long-term AccessKey (simplest), or STS (AccessKey + SecurityToken, with
// a refresh URL on the operator's backend so the kiosk never holds a long-term key). See README.md.
import { z } from 'zod';

const Prefix = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/, 'a prefix is path segments ending with "/", e.g. results/')
  .refine((p) => !p.split('/').includes('..'), 'no ".." in prefixes');

export const OssConfig = z
  .object({
    /** Full endpoint URL, e.g. https://oss-cn-hangzhou.aliyuncs.com; derived from region when empty. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'OSS bucket names are 3–63 lower-case letters, digits and -'),
    region: z.string().regex(/^(oss-)?[a-z0-9-]+$/).default('oss-cn-hangzhou'),
    accessKeyId: z.string().min(1),
    accessKeySecret: z.string().min(1),
    /** STS SecurityToken for temporary credentials (AccessKeyId then starts with "STS."). */
    stsToken: z.string().min(1).optional(),
    /**
     * Operator backend that hands out fresh STS credentials (GET, JSON: the STS AssumeRole shape
     * { Credentials: { AccessKeyId, AccessKeySecret, SecurityToken, Expiration } } or the same keys flat).
     */
    stsRefreshUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Refresh this often (keep it well under the token TTL; ali-oss does not react to expiry itself). */
    stsRefreshIntervalSec: z.number().int().min(60).max(43_200).default(2700),
    /** Results (public-read, unguessable folder per order): the phone download. */
    resultsPrefix: Prefix.default('results/'),
    /** Originals (private, server-side encrypted): only for the AI provider via short signed URLs. */
    originalsPrefix: Prefix.default('originals/'),
    /**
     * Public base for result links, e.g. https://photo.example.com (a domain bound to the bucket; OSS
     * serves HTML as a download on its default domain, so the download page needs one).
     * Default: the bucket's own endpoint URL.
     */
    publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Secret for the unguessable result folder names (≥ 32 chars). Generated and kept in the data dir when empty. */
    linkSecret: z.string().min(32).optional(),
    /** Longest life of a signed URL for an original (the AI provider fetches it within seconds). */
    originalUrlMaxTtlSec: z.number().int().min(60).max(86_400).default(3600),
    /** Path-style requests (/bucket/key): for the local fake and other non-DNS endpoints. */
    pathStyle: z.boolean().default(false),
    /** Per-request timeout. */
    timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  })
  .refine((c) => !c.stsRefreshUrl || !!c.stsToken, { message: 'stsRefreshUrl needs an initial stsToken', path: ['stsRefreshUrl'] })
  .refine((c) => c.resultsPrefix !== c.originalsPrefix && !c.resultsPrefix.startsWith(c.originalsPrefix) && !c.originalsPrefix.startsWith(c.resultsPrefix), {
    message: 'results and originals need separate prefixes (one is public, the other private)',
    path: ['originalsPrefix'],
  });
export type OssConfig = z.infer<typeof OssConfig>;

const ENV_OVERRIDES = {
  OSS_ENDPOINT: 'endpoint',
  OSS_BUCKET: 'bucket',
  OSS_REGION: 'region',
  OSS_ACCESS_KEY_ID: 'accessKeyId',
  OSS_ACCESS_KEY_SECRET: 'accessKeySecret',
  OSS_STS_TOKEN: 'stsToken',
  OSS_STS_REFRESH_URL: 'stsRefreshUrl',
  OSS_PUBLIC_BASE_URL: 'publicBaseUrl',
  OSS_LINK_SECRET: 'linkSecret',
} as const;
// Also OSS_PATH_STYLE=1 (path-style requests, for the local fake: `npm run sim:oss`).

export class OssConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`OSS configuration is incomplete: ${issues.join('; ')}`);
    this.name = 'OssConfigError';
  }
}

/**
 * Merges the config file's `oss` section with OSS_* environment variables. Returns null when OSS is
 * not configured at all (no bucket anywhere): the kiosk keeps the LAN share. Throws OssConfigError
 * naming the fields (never their values) when it is half-configured.
 */
export function ossConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): OssConfig | null {
  const merged: Record<string, unknown> =
    fileSection && typeof fileSection === 'object' && !Array.isArray(fileSection) ? { ...(fileSection as Record<string, unknown>) } : {};
  for (const [name, field] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[field] = v.trim();
  }
  if (env.OSS_PATH_STYLE) merged.pathStyle = env.OSS_PATH_STYLE === '1' || env.OSS_PATH_STYLE === 'true';
  if (merged.bucket === undefined || merged.bucket === '') return null;
  const parsed = OssConfig.safeParse(merged);
  if (!parsed.success) throw new OssConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'oss'}: ${i.message}`));
  return parsed.data;
}
