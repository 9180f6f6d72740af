// The phone download and the AI provider's inputs through Alibaba Cloud OSS (ali-oss).
//
// Results: uploaded public-read under `results/<128-bit folder>/<name>`; the folder is
// HMAC(linkSecret, caller's folder), so links are unguessable, stable across restarts (the same key
// always maps to the same object) and work for as long as the object lives (30 days, then deleted
// explicitly by retention, with a bucket lifecycle rule as backstop). See README.md for why this and
// not 7-day signed URLs.
// Originals: private, AES256 server-side encrypted, under `originals/…`; only reachable through
// short-lived V4 signed URLs (Jimeng 4.0 takes image_urls only).
import OSS from 'ali-oss';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../infra/files';
import { logger } from '../../../infra/log';
import type { ShareStore } from '../types';
import type { OssConfig } from './config';

const log = logger('share.oss');

export interface OssShare extends ShareStore {
  readonly name: 'oss';
  /** Uploads a result (public-read, unguessable folder). Idempotent: same key, same object. */
  put(key: string, filePath: string, contentType: string): Promise<void>;
  /** The public URL of a result object; valid until the object is deleted (≥ ttlSec while kept). */
  url(key: string, ttlSec: number): Promise<string>;
  /** Deletes results by caller key. Missing objects are fine. */
  remove(keys: string[]): Promise<void>;
  /** Uploads an original (private, encrypted). */
  putOriginal(key: string, filePath: string, contentType: string): Promise<void>;
  /** A V4 signed GET URL for an original, valid ttlSec (clamped to 60 s … originalUrlMaxTtlSec). */
  signedGetUrl(key: string, ttlSec: number): Promise<string>;
  removeOriginals(keys: string[]): Promise<void>;
  /** The object key a caller key maps to (for logs and tests; contains no secret). */
  objectKey(key: string, kind?: 'result' | 'original'): string;
  /** Can we reach the bucket with these credentials? (HEAD of a missing key: 404 = yes.) */
  check(): Promise<{ ok: boolean; code: string; detail: string }>;
}

/** An OSS failure as data for the upload queue: retryable unless retrying cannot help. */
export class OssShareError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'OssShareError';
  }
}

interface AliError {
  name?: string;
  code?: string;
  status?: number;
  message?: string;
}

function toShareError(e: unknown, op: string): OssShareError {
  if (e instanceof OssShareError) return e;
  const a = (e ?? {}) as AliError;
  const status = typeof a.status === 'number' && a.status > 0 ? a.status : null;
  const code = a.code || a.name || 'NetworkError';
  // Only a missing local file or a refused argument can never succeed; auth errors may be fixed by a
  // token refresh or the operator, network and 5xx errors by waiting.
  const retryable = !(code === 'ENOENT' || code === 'InvalidArgument' || code === 'EntityTooLarge' || code === 'InvalidObjectName');
  return new OssShareError(code, `${op}: ${code}${status ? ` (${status})` : ''}: ${String(a.message ?? '').slice(0, 200)}`, status, retryable);
}

/** Keeps file names to a safe alphabet so object keys are predictable and URL-clean. */
function safeName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
  return n || 'file';
}

function loadLinkSecret(config: OssConfig, stateDir: string | undefined): string {
  if (config.linkSecret) return config.linkSecret;
  if (!stateDir) throw new Error('OSS share needs oss.linkSecret (OSS_LINK_SECRET) or a state directory to keep a generated one');
  const file = join(stateDir, 'oss-link-secret');
  try {
    const s = readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  } catch {
    // first run: generated below
  }
  const s = randomBytes(32).toString('hex');
  writeFileAtomic(file, s);
  return s;
}

interface StsAnswer {
  accessKeyId: string;
  accessKeySecret: string;
  stsToken: string;
}

/** Fetches fresh STS credentials from the operator's backend (AssumeRole shape, nested or flat). */
export async function fetchStsCredentials(url: string, timeoutMs = 10_000): Promise<StsAnswer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new OssShareError('StsRefreshFailed', `STS refresh HTTP ${res.status}`, res.status, true);
  const body = (await res.json()) as Record<string, unknown>;
  const c = (body.Credentials ?? body.credentials ?? body) as Record<string, unknown>;
  const pick = (...names: string[]): string | undefined => names.map((n) => c[n]).find((v): v is string => typeof v === 'string' && v.length > 0);
  const accessKeyId = pick('AccessKeyId', 'accessKeyId');
  const accessKeySecret = pick('AccessKeySecret', 'accessKeySecret');
  const stsToken = pick('SecurityToken', 'securityToken', 'stsToken');
  if (!accessKeyId || !accessKeySecret || !stsToken) throw new OssShareError('StsRefreshFailed', 'STS refresh answer lacks AccessKeyId/AccessKeySecret/SecurityToken', null, true);
  return { accessKeyId, accessKeySecret, stsToken };
}

export interface OssShareDeps {
  /** Where a generated link secret is kept when the config has none (the data dir). */
  stateDir?: string;
  /** Replaces fetching config.stsRefreshUrl (e.g. the Electron host asks its own backend client). */
  refreshSts?: () => Promise<StsAnswer>;
}

export function createOssShare(config: OssConfig, deps: OssShareDeps = {}): OssShare {
  const linkSecret = loadLinkSecret(config, deps.stateDir);
  const refresh = deps.refreshSts ?? (config.stsRefreshUrl ? () => fetchStsCredentials(config.stsRefreshUrl!) : undefined);
  const secure = config.endpoint ? config.endpoint.startsWith('https:') : true;
  const options: OSS.Options & { sldEnable?: boolean; retryMax?: number } = {
    region: config.region,
    bucket: config.bucket,
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    stsToken: config.stsToken,
    endpoint: config.endpoint,
    secure,
    timeout: config.timeoutMs,
    authorizationV4: true,
    sldEnable: config.pathStyle,
    // The upload queue owns retries (with back-off and persistence); no hidden retries underneath.
    retryMax: 0,
    ...(refresh ? { refreshSTSToken: refresh, refreshSTSTokenInterval: config.stsRefreshIntervalSec * 1000 } : {}),
  };
  let client = new OSS(options);

  const publicBase = (() => {
    if (config.publicBaseUrl) return config.publicBaseUrl.replace(/\/+$/, '');
    if (config.endpoint) {
      const u = new URL(config.endpoint);
      return config.pathStyle ? `${u.origin}/${config.bucket}` : `${u.protocol}//${config.bucket}.${u.host}`;
    }
    const region = config.region.startsWith('oss-') ? config.region : `oss-${config.region}`;
    return `https://${config.bucket}.${region}.aliyuncs.com`;
  })();

  function objectKey(key: string, kind: 'result' | 'original' = 'result'): string {
    const slash = key.lastIndexOf('/');
    const folder = slash >= 0 ? key.slice(0, slash) : key;
    const name = safeName(slash >= 0 ? key.slice(slash + 1) : key);
    const id = createHmac('sha256', linkSecret).update(`${kind}\0${folder}`).digest('hex').slice(0, 32);
    return `${kind === 'result' ? config.resultsPrefix : config.originalsPrefix}${id}/${name}`;
  }

  /** Runs an OSS call; on an STS expiry, refreshes the token once and retries (ali-oss only refreshes on a timer). */
  async function call<T>(op: string, fn: (c: OSS) => Promise<T>): Promise<T> {
    try {
      return await fn(client);
    } catch (e) {
      const code = (e as AliError).code;
      if (refresh && (code === 'SecurityTokenExpired' || code === 'InvalidSecurityToken' || code === 'InvalidAccessKeyId')) {
        try {
          const fresh = await refresh();
          client = new OSS({ ...options, ...fresh });
          log.info('sts.refreshed_after_error', { op, code });
          return await fn(client);
        } catch (e2) {
          throw toShareError(e2, op);
        }
      }
      throw toShareError(e, op);
    }
  }

  async function upload(kind: 'result' | 'original', key: string, filePath: string, contentType: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(filePath);
    } catch (e) {
      throw new OssShareError((e as NodeJS.ErrnoException).code ?? 'ENOENT', `cannot read ${kind} for upload`, null, false);
    }
    const name = objectKey(key, kind);
    const headers: Record<string, string> =
      kind === 'result'
        ? {
            'Content-Type': contentType,
            'x-oss-object-acl': 'public-read',
            'x-oss-tagging': 'kind=result',
            // The page itself must not be cached stale; photos never change under the same key.
            'Cache-Control': contentType.startsWith('text/html') ? 'no-cache' : 'public, max-age=604800, immutable',
          }
        : {
            'Content-Type': contentType,
            'x-oss-object-acl': 'private',
            'x-oss-tagging': 'kind=original',
            'x-oss-server-side-encryption': 'AES256',
            'Cache-Control': 'no-store',
          };
    const started = Date.now();
    await call(`put ${kind}`, (c) => c.put(name, body, { mime: contentType, headers }));
    log.info('object.put', { kind, objectKey: name, bytes: body.length, ms: Date.now() - started });
  }

  async function removeMany(kind: 'result' | 'original', keys: string[]): Promise<void> {
    const names = [...new Set(keys.map((k) => objectKey(k, kind)))];
    for (let i = 0; i < names.length; i += 1000) {
      const chunk = names.slice(i, i + 1000);
      if (chunk.length === 1) await call('delete', (c) => c.delete(chunk[0]!));
      else await call('deleteMulti', (c) => c.deleteMulti(chunk, { quiet: true }));
    }
    if (names.length) log.info('object.deleted', { kind, count: names.length });
  }

  return {
    name: 'oss',
    objectKey,
    put: (key, filePath, contentType) => upload('result', key, filePath, contentType),
    async url(key) {
      return `${publicBase}/${objectKey(key, 'result').split('/').map(encodeURIComponent).join('/')}`;
    },
    remove: (keys) => removeMany('result', keys),
    putOriginal: (key, filePath, contentType) => upload('original', key, filePath, contentType),
    async signedGetUrl(key, ttlSec) {
      const ttl = Math.max(60, Math.min(config.originalUrlMaxTtlSec, 604_800, Math.floor(ttlSec) || 60));
      return call('sign', (c) => c.signatureUrlV4('GET', ttl, undefined, objectKey(key, 'original')));
    },
    removeOriginals: (keys) => removeMany('original', keys),
    async check() {
      try {
        await call('check', (c) => c.head(`${config.resultsPrefix}.kiosk-health-check`));
        return { ok: true, code: 'OK', detail: 'bucket reachable' };
      } catch (e) {
        const err = e as OssShareError;
        if (err.code === 'NoSuchKey' || err.status === 404) return { ok: true, code: 'OK', detail: 'bucket reachable' };
        // HEAD answers carry no error body: name the class of failure from the status.
        const code = err.status === 403 ? 'ACCESS_DENIED' : err.status ? `HTTP_${err.status}` : 'UNREACHABLE';
        return { ok: false, code, detail: err.message };
      }
    },
  };
}
