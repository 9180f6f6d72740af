// Server-side verification of Alibaba Cloud OSS request signatures, as ali-oss 6.23 produces them
// (protocol notes B2): V1 header (OSS ak:sig, HMAC-SHA1), V1 URL (OSSAccessKeyId/Expires/Signature),
// V4 header (OSS4-HMAC-SHA256) and V4 URL (x-oss-signature). Used by the fake OSS server; kept apart
// so the canonicalisation can be read and tested on its own.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Sub-resources that take part in a V1 CanonicalizedResource (oss2/auth.py _subresource_key_set). */
export const V1_SUBRESOURCES = new Set([
  'acl', 'uploadId', 'partNumber', 'uploads', 'logging', 'website', 'location', 'lifecycle', 'referer', 'cors', 'delete',
  'append', 'position', 'security-token', 'tagging', 'response-content-type', 'response-content-language',
  'response-expires', 'response-cache-control', 'response-content-disposition', 'response-content-encoding',
  'x-oss-process', 'versionId', 'versioning', 'versions', 'continuation-token', 'sequential', 'encryption', 'restore',
  'symlink', 'callback', 'callback-var', 'objectMeta', 'qos', 'livechannel', 'status', 'comp', 'vod', 'startTime',
  'endTime', 'x-oss-traffic-limit', 'inventory', 'inventoryId', 'worm', 'wormId', 'wormExtend', 'policy', 'requestPayment',
  'stat', 'bucketInfo', 'replication', 'replicationProgress', 'replicationLocation', 'accessPoint', 'x-oss-ac-source-ip',
]);

/** One query parameter as sent: decoded name, decoded value or null when there was no "=". */
export interface QueryParam {
  name: string;
  value: string | null;
}

export function parseRawQuery(raw: string): QueryParam[] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const dec = (s: string): string => {
        try {
          return decodeURIComponent(s.replace(/\+/g, '%20'));
        } catch {
          return s;
        }
      };
      return eq < 0 ? { name: dec(part), value: null } : { name: dec(part.slice(0, eq)), value: dec(part.slice(eq + 1)) };
    });
}

/** RFC 3986 encoding as ali-oss's encodeString does it. */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---------- V1 ----------

export function v1CanonicalResource(bucket: string, key: string, query: QueryParam[]): string {
  const sub = query.filter((q) => V1_SUBRESOURCES.has(q.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const base = `/${bucket}/${key}`;
  if (!sub.length) return base;
  return `${base}?${sub.map((q) => (q.value === null || q.value === '' ? q.name : `${q.name}=${q.value}`)).join('&')}`;
}

export function v1StringToSign(a: {
  method: string;
  headers: Record<string, string | undefined>;
  dateLine: string;
  resource: string;
}): string {
  const oss = Object.keys(a.headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${String(a.headers[k] ?? '').trim()}`);
  return [a.method.toUpperCase(), a.headers['content-md5'] ?? '', a.headers['content-type'] ?? '', a.dateLine, ...oss, a.resource].join('\n');
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(Buffer.from(stringToSign, 'utf8')).digest('base64');
}

// ---------- V4 ----------

/** All parameters, encoded and sorted; an empty value (`?delete=` as ali-oss sends it) counts as just the key. */
export function v4CanonicalQuery(query: QueryParam[]): string {
  return query
    .map((q) => ({ k: encodeRfc3986(q.name), v: q.value === null || q.value === '' ? null : encodeRfc3986(q.value) }))
    .sort((a, b) => a.k.localeCompare(b.k))
    .map((q) => (q.v === null ? q.k : `${q.k}=${q.v}`))
    .join('&');
}

export function v4CanonicalRequest(a: {
  method: string;
  bucket: string;
  key: string;
  query: QueryParam[];
  headers: Record<string, string | undefined>;
  additionalHeaders: string[];
  hashedPayload: string;
}): string {
  const uri = encodeRfc3986(`/${a.bucket}/${a.key}`).replace(/%2F/g, '/');
  const names = new Set(a.additionalHeaders);
  for (const k of Object.keys(a.headers)) if (k === 'content-type' || k === 'content-md5' || k.startsWith('x-oss-')) names.add(k);
  const canonicalHeaders = [...names]
    .sort()
    .map((k) => `${k}:${String(a.headers[k] ?? '').trim()}\n`)
    .join('');
  return [a.method.toUpperCase(), uri, v4CanonicalQuery(a.query), canonicalHeaders, a.additionalHeaders.join(';'), a.hashedPayload].join('\n');
}

export function v4Signature(secret: string, a: { date: string; region: string; canonicalRequest: string; product?: string }): string {
  const product = a.product ?? 'oss';
  const day = a.date.split('T')[0]!;
  const scope = `${day}/${a.region}/${product}/aliyun_v4_request`;
  const stringToSign = ['OSS4-HMAC-SHA256', a.date, scope, createHash('sha256').update(a.canonicalRequest).digest('hex')].join('\n');
  const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(day).digest();
  const kRegion = createHmac('sha256', kDate).update(a.region).digest();
  const kProduct = createHmac('sha256', kRegion).update(product).digest();
  const kSigning = createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
  return createHmac('sha256', kSigning).update(stringToSign).digest('hex');
}

/** "20260122T101010Z" → epoch ms, or NaN. */
export function parseV4Date(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
