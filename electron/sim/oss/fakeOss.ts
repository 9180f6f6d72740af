// A local stand-in for Alibaba Cloud OSS, faithful where the kiosk depends on it: it checks every
// request's signature as ali-oss sends it (V1/V4, header and URL, STS token), stores objects with
// their ACL, tags and headers, serves signed and public-read GETs, deletes (single and multi), and
// answers errors in OSS's XML shape. Faults (dropped connections, 5xx) simulate network loss.
// Path-style only (`/bucket/key`, ali-oss `sldEnable: true`) or bucket-in-Host (IP endpoints).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  parseRawQuery,
  parseV4Date,
  safeEqual,
  v1CanonicalResource,
  v1Signature,
  v1StringToSign,
  v4CanonicalRequest,
  v4Signature,
  type QueryParam,
} from '../../main/services/share/oss/ossSignature';

export interface FakeOssCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS: requests must carry this token (x-oss-security-token / security-token). */
  securityToken?: string;
  /** Epoch ms after which the credential is refused (STS expiry). */
  expiresAt?: number;
}

export interface FakeOssObject {
  body: Buffer;
  contentType: string;
  acl: 'private' | 'public-read' | 'default';
  tags: Record<string, string>;
  headers: Record<string, string>;
  lastModified: number;
  etag: string;
}

export interface FakeOssRequestLog {
  method: string;
  bucket: string;
  key: string;
  auth: 'v1' | 'v4' | 'v1-url' | 'v4-url' | 'anonymous';
  status: number;
  code?: string;
}

export interface FakeOssOptions {
  buckets: string[];
  credentials: FakeOssCredential[];
  /** Listen port; 0 = ephemeral. Always on 127.0.0.1. */
  port?: number;
  /** Largest object accepted (bytes). */
  maxObjectBytes?: number;
  now?: () => number;
  /**
   * Keep objects in this directory (one body file and one metadata file per object) so separate
   * processes can share a bucket: `npm run fleet -- simulate` fills it, `… report` reads it.
   */
  dataDir?: string;
}

export interface FakeOss {
  /** http://localhost:PORT — use with ali-oss `endpoint` + `sldEnable: true`. */
  readonly url: string;
  readonly port: number;
  readonly objects: Map<string, FakeOssObject>; // "bucket/key"
  readonly requests: FakeOssRequestLog[];
  /** Next `count` requests fail: 'drop' destroys the socket (network loss), 'http500' answers InternalError. */
  fail(mode: 'drop' | 'http500', count?: number): void;
  /** All requests fail until called with false. */
  offline(on: boolean): void;
  addCredential(c: FakeOssCredential): void;
  close(): Promise<void>;
}

const MAX_SKEW_MS = 15 * 60_000;

class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly ec = '0000-00000000',
  ) {
    super(message);
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
function xmlUnescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function parseTagging(v: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const q of parseRawQuery(v)) {
    if (!/^[A-Za-z0-9 +\-=._:/]{1,128}$/.test(q.name) || (q.value ?? '').length > 256) throw new OssError(400, 'InvalidTag', 'invalid tag');
    tags[q.name] = q.value ?? '';
  }
  if (Object.keys(tags).length > 10) throw new OssError(400, 'BadRequest', 'too many tags');
  return tags;
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFakeOss(opts: FakeOssOptions): Promise<FakeOss> {
  const now = opts.now ?? Date.now;
  const buckets = new Set(opts.buckets);
  const creds = new Map(opts.credentials.map((c) => [c.accessKeyId, c]));
  const objects = new Map<string, FakeOssObject>();
  const requests: FakeOssRequestLog[] = [];
  const maxBytes = opts.maxObjectBytes ?? 64 * 1024 * 1024;
  let failMode: { mode: 'drop' | 'http500'; left: number } | null = null;
  const fileOf = (id: string): string => join(opts.dataDir!, encodeURIComponent(id));
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    for (const name of readdirSync(opts.dataDir)) {
      if (!name.endsWith('.meta.json')) continue;
      const id = decodeURIComponent(name.slice(0, -'.meta.json'.length));
      try {
        const meta = JSON.parse(readFileSync(join(opts.dataDir, name), 'utf8')) as Omit<FakeOssObject, 'body'>;
        objects.set(id, { ...meta, body: readFileSync(fileOf(id)) });
      } catch {
        // A half-written pair (the process was killed mid-put): the object was never acknowledged.
      }
    }
  }
  function storeObject(id: string, obj: FakeOssObject): void {
    objects.set(id, obj);
    if (!opts.dataDir) return;
    const { body, ...meta } = obj;
    writeFileSync(fileOf(id), body);
    writeFileSync(`${fileOf(id)}.meta.json`, JSON.stringify(meta));
  }
  function removeObject(id: string): void {
    objects.delete(id);
    if (opts.dataDir) for (const f of [fileOf(id), `${fileOf(id)}.meta.json`]) rmSync(f, { force: true });
  }

  /** ListObjects (V1: marker) and ListObjectsV2 (list-type=2: continuation-token, start-after), in key order. */
  function listObjects(bucket: string, query: QueryParam[]): string {
    const q = (name: string): string | undefined => query.find((p) => p.name === name)?.value ?? undefined;
    const v2 = q('list-type') === '2';
    const prefix = q('prefix') ?? '';
    const delimiter = q('delimiter') ?? '';
    const maxKeys = Number(q('max-keys') ?? 100);
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) throw new OssError(400, 'InvalidArgument', 'max-keys must be 1..1000');
    const after = v2 ? (q('continuation-token') !== undefined ? Buffer.from(q('continuation-token')!, 'base64url').toString('utf8') : (q('start-after') ?? '')) : (q('marker') ?? '');
    const head = `${bucket}/`;
    const keys = [...objects.keys()].filter((id) => id.startsWith(head + prefix)).map((id) => id.slice(head.length)).sort();
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    for (const k of keys) {
      if (k <= after) continue;
      let entry = k;
      if (delimiter) {
        const i = k.indexOf(delimiter, prefix.length);
        if (i >= 0) entry = k.slice(0, i + delimiter.length);
      }
      if (entry !== k && entry <= after) continue;
      if (entry !== k && prefixes.at(-1) === entry) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (entry !== k) prefixes.push(entry);
      else contents.push(k);
      last = entry;
    }
    const body = [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<ListBucketResult>`,
      `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><MaxKeys>${maxKeys}</MaxKeys><Delimiter>${xmlEscape(delimiter)}</Delimiter>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      truncated ? (v2 ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : `<NextMarker>${xmlEscape(last)}</NextMarker>`) : '',
      v2 ? `<KeyCount>${contents.length + prefixes.length}</KeyCount>` : '',
      ...contents.map((k) => {
        const o = objects.get(head + k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Type>Normal</Type><Size>${o.body.length}</Size><StorageClass>Standard</StorageClass><Owner><ID>0</ID><DisplayName>0</DisplayName></Owner></Contents>`;
      }),
      ...prefixes.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`),
      `</ListBucketResult>`,
    ];
    return body.join('\n');
  }
  let isOffline = false;

  function credential(id: string, token: string | undefined): FakeOssCredential {
    const c = creds.get(id);
    if (!c) throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', '0002-00000902');
    if (c.securityToken !== undefined) {
      if (!token) throw new OssError(403, 'InvalidAccessKeyId', 'The security token you provided is missing.', '0002-00000903');
      if (!safeEqual(token, c.securityToken)) throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.', '0002-00000903');
    } else if (token) {
      throw new OssError(403, 'InvalidSecurityToken', 'A security token was sent with a long-term key.', '0002-00000903');
    }
    if (c.expiresAt !== undefined && now() > c.expiresAt) throw new OssError(403, 'SecurityTokenExpired', 'The security token you provided has expired.', '0002-00000904');
    return c;
  }

  /** Verifies the request and says how it was authenticated (or 'anonymous'). */
  function authenticate(method: string, bucket: string, key: string, query: QueryParam[], h: Record<string, string | undefined>): FakeOssRequestLog['auth'] {
    const q = (name: string): string | undefined => query.find((p) => p.name === name)?.value ?? undefined;
    const auth = h.authorization;
    if (auth?.startsWith('OSS4-HMAC-SHA256 ')) {
      const fields = Object.fromEntries(
        auth
          .slice('OSS4-HMAC-SHA256 '.length)
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
      );
      const [ak, day, region, product, term] = String(fields.Credential ?? '').split('/');
      if (!ak || !day || !region || product !== 'oss' || term !== 'aliyun_v4_request') throw new OssError(400, 'InvalidArgument', 'malformed Credential');
      const date = h['x-oss-date'] ?? '';
      const t = parseV4Date(date);
      if (!Number.isFinite(t) || date.slice(0, 8) !== day) throw new OssError(403, 'AccessDenied', 'x-oss-date missing or not matching the credential scope');
      if (Math.abs(now() - t) > MAX_SKEW_MS) throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
      if (!h['x-oss-content-sha256']) throw new OssError(400, 'InvalidArgument', 'x-oss-content-sha256 is required');
      const c = credential(ak, h['x-oss-security-token']);
      const additional = fields.AdditionalHeaders ? String(fields.AdditionalHeaders).split(';').filter(Boolean) : [];
      const canonicalRequest = v4CanonicalRequest({ method, bucket, key, query, headers: h, additionalHeaders: additional, hashedPayload: h['x-oss-content-sha256'] });
      const expected = v4Signature(c.accessKeySecret, { date, region, canonicalRequest });
      if (!safeEqual(expected, String(fields.Signature ?? ''))) throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', '0002-00000040');
      return 'v4';
    }
    if (auth?.startsWith('OSS ')) {
      const [ak, sig] = auth.slice(4).split(':');
      const dateLine = h['x-oss-date'] ?? h.date ?? '';
      const t = Date.parse(dateLine);
      if (!Number.isFinite(t)) throw new OssError(403, 'AccessDenied', 'Date or x-oss-date is required');
      if (Math.abs(now() - t) > MAX_SKEW_MS) throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
      const c = credential(ak ?? '', h['x-oss-security-token']);
      const sts = v1StringToSign({ method, headers: h, dateLine, resource: v1CanonicalResource(bucket, key, query) });
      if (!safeEqual(v1Signature(c.accessKeySecret, sts), sig ?? '')) throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', '0002-00000040');
      return 'v1';
    }
    if (q('x-oss-signature') !== undefined) {
      if (q('x-oss-signature-version') !== 'OSS4-HMAC-SHA256') throw new OssError(400, 'InvalidArgument', 'unsupported signature version');
      const [ak, day, region, product, term] = String(q('x-oss-credential') ?? '').split('/');
      if (!ak || !day || !region || product !== 'oss' || term !== 'aliyun_v4_request') throw new OssError(400, 'InvalidArgument', 'malformed x-oss-credential');
      const date = q('x-oss-date') ?? '';
      const t = parseV4Date(date);
      const expires = Number(q('x-oss-expires'));
      if (!Number.isFinite(t) || date.slice(0, 8) !== day) throw new OssError(403, 'AccessDenied', 'x-oss-date missing or not matching the credential scope');
      if (!Number.isInteger(expires) || expires < 1 || expires > 604_800) throw new OssError(400, 'InvalidArgument', 'x-oss-expires must be 1..604800', '0002-00000232');
      if (now() > t + expires * 1000) throw new OssError(403, 'AccessDenied', 'Request has expired.', '0002-00000236');
      if (t - now() > MAX_SKEW_MS) throw new OssError(403, 'RequestTimeTooSkewed', 'The request time is in the future.');
      const c = credential(ak, q('x-oss-security-token'));
      const additional = (q('x-oss-additional-headers') ?? '').split(';').filter(Boolean);
      const canonicalRequest = v4CanonicalRequest({
        method, bucket, key, query: query.filter((p) => p.name !== 'x-oss-signature'), headers: h, additionalHeaders: additional, hashedPayload: 'UNSIGNED-PAYLOAD',
      });
      if (!safeEqual(v4Signature(c.accessKeySecret, { date, region, canonicalRequest }), q('x-oss-signature') ?? '')) {
        throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', '0002-00000040');
      }
      return 'v4-url';
    }
    if (q('Signature') !== undefined) {
      const expires = Number(q('Expires'));
      if (!Number.isInteger(expires)) throw new OssError(403, 'AccessDenied', 'Expires is required');
      if (now() / 1000 > expires) throw new OssError(403, 'AccessDenied', 'Request has expired.', '0002-00000069');
      const c = credential(q('OSSAccessKeyId') ?? '', q('security-token'));
      const sts = v1StringToSign({ method, headers: { 'content-md5': h['content-md5'], 'content-type': h['content-type'] }, dateLine: String(expires), resource: v1CanonicalResource(bucket, key, query) });
      if (!safeEqual(v1Signature(c.accessKeySecret, sts), q('Signature') ?? '')) throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', '0002-00000040');
      return 'v1-url';
    }
    return 'anonymous';
  }

  function sendError(res: ServerResponse, e: OssError, requestId: string, method: string): void {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${e.code}</Code>\n  <Message>${xmlEscape(e.message)}</Message>\n  <RequestId>${requestId}</RequestId>\n  <HostId>localhost</HostId>\n  <EC>${e.ec}</EC>\n</Error>\n`;
    res.writeHead(e.status, { 'content-type': 'application/xml', 'x-oss-request-id': requestId, 'x-oss-ec': e.ec, 'content-length': Buffer.byteLength(body) });
    res.end(method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(12).toString('hex').toUpperCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const query = parseRawQuery(qi < 0 ? '' : rawUrl.slice(qi + 1));
    const h = headerMap(req);
    const log: FakeOssRequestLog = { method, bucket: '', key: '', auth: 'anonymous', status: 200 };
    requests.push(log);
    res.on('finish', () => (log.status = res.statusCode));
    try {
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        throw new OssError(400, 'InvalidURI', 'malformed path');
      }
      // Bucket from the Host (IP endpoint: ali-oss rewrites Host to <bucket>.<region>.aliyuncs.com) or the path.
      const hostBucket = (h.host ?? '').split('.')[0] ?? '';
      let bucket: string;
      let key: string;
      if ((h.host ?? '').includes('.aliyuncs.com') && buckets.has(hostBucket)) {
        bucket = hostBucket;
        key = path.replace(/^\//, '');
      } else {
        const m = /^\/([^/]+)\/?(.*)$/s.exec(path);
        bucket = m?.[1] ?? '';
        key = m?.[2] ?? '';
      }
      log.bucket = bucket;
      log.key = key;
      if (!buckets.has(bucket)) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', '0015-00000101');
      log.auth = authenticate(method, bucket, key, query, h);
      const id = `${bucket}/${key}`;
      const has = (name: string): boolean => query.some((p) => p.name === name);
      const authed = log.auth !== 'anonymous';

      if (method === 'POST' && has('delete') && key === '') {
        if (!authed) throw new OssError(403, 'AccessDenied', 'You have no right to access this object.');
        const body = await readBody(req, 1024 * 1024);
        const md5 = createHash('md5').update(body).digest('base64');
        if (h['content-md5'] && h['content-md5'] !== md5) throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what we received.');
        const xml = body.toString('utf8');
        const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(xml);
        const keys = [...xml.matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => xmlUnescape(m[1]!));
        for (const k of keys) removeObject(`${bucket}/${k}`);
        const out = `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult>\n${quiet ? '' : keys.map((k) => `  <Deleted><Key>${xmlEscape(k)}</Key></Deleted>\n`).join('')}</DeleteResult>\n`;
        res.writeHead(200, { 'content-type': 'application/xml', 'x-oss-request-id': requestId, 'content-length': Buffer.byteLength(out) });
        res.end(out);
        return;
      }
      if (key === '' && method === 'GET' && !has('delete')) {
        if (!authed) throw new OssError(403, 'AccessDenied', 'You have no right to access this bucket.');
        const out = listObjects(bucket, query);
        res.writeHead(200, { 'content-type': 'application/xml', 'x-oss-request-id': requestId, 'content-length': Buffer.byteLength(out) });
        res.end(out);
        return;
      }
      if (key === '') throw new OssError(403, 'AccessDenied', 'Bucket operations are not available on this fake.');

      if (method === 'PUT' && has('tagging')) {
        if (!authed) throw new OssError(403, 'AccessDenied', 'You have no right to access this object.');
        const obj = objects.get(id);
        const body = (await readBody(req, 64 * 1024)).toString('utf8');
        if (!obj) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', '0026-00000001');
        const tags: Record<string, string> = {};
        for (const m of body.matchAll(/<Tag>\s*<Key>([\s\S]*?)<\/Key>\s*<Value>([\s\S]*?)<\/Value>\s*<\/Tag>/g)) tags[xmlUnescape(m[1]!)] = xmlUnescape(m[2]!);
        obj.tags = tags;
        storeObject(id, obj);
        res.writeHead(200, { 'x-oss-request-id': requestId, 'content-length': 0 });
        res.end();
        return;
      }
      if (method === 'PUT') {
        if (!authed) throw new OssError(403, 'AccessDenied', 'You have no right to access this object.');
        const body = await readBody(req, maxBytes);
        const md5 = createHash('md5').update(body).digest();
        if (h['content-md5'] && h['content-md5'] !== md5.toString('base64')) throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what we received.', '0003-00000001');
        const aclHeader = h['x-oss-object-acl'] ?? 'default';
        if (!['private', 'public-read', 'default'].includes(aclHeader)) throw new OssError(400, 'InvalidArgument', 'invalid x-oss-object-acl');
        const kept: Record<string, string> = {};
        for (const k of ['cache-control', 'content-disposition', 'x-oss-server-side-encryption', 'x-oss-storage-class']) if (h[k]) kept[k] = h[k]!;
        for (const [k, v] of Object.entries(h)) if (k.startsWith('x-oss-meta-') && v) kept[k] = v;
        const etag = `"${md5.toString('hex').toUpperCase()}"`;
        storeObject(id, {
          body,
          contentType: h['content-type'] ?? 'application/octet-stream',
          acl: aclHeader as FakeOssObject['acl'],
          tags: h['x-oss-tagging'] ? parseTagging(h['x-oss-tagging']) : {},
          headers: kept,
          lastModified: now(),
          etag,
        });
        res.writeHead(200, { etag, 'x-oss-request-id': requestId, 'content-length': 0, ...(kept['x-oss-server-side-encryption'] ? { 'x-oss-server-side-encryption': kept['x-oss-server-side-encryption'] } : {}) });
        res.end();
        return;
      }
      if (method === 'DELETE') {
        if (!authed) throw new OssError(403, 'AccessDenied', 'You have no right to access this object.');
        removeObject(id);
        res.writeHead(204, { 'x-oss-request-id': requestId });
        res.end();
        return;
      }
      if (method === 'GET' || method === 'HEAD') {
        const obj = objects.get(id);
        // Like OSS: an anonymous caller learns nothing about private keys, not even whether they exist.
        if (!authed && obj?.acl !== 'public-read') throw new OssError(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.', '0003-00000001');
        if (!obj) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', '0026-00000001');
        const headers: Record<string, string | number> = {
          'content-type': query.find((p) => p.name === 'response-content-type')?.value ?? obj.contentType,
          'content-length': obj.body.length,
          etag: obj.etag,
          'last-modified': new Date(obj.lastModified).toUTCString(),
          'x-oss-request-id': requestId,
          'x-oss-object-type': 'Normal',
          'x-oss-tagging-count': Object.keys(obj.tags).length,
          'accept-ranges': 'bytes',
          ...obj.headers,
        };
        const disposition = query.find((p) => p.name === 'response-content-disposition')?.value;
        if (disposition) headers['content-disposition'] = disposition;
        res.writeHead(200, headers);
        res.end(method === 'HEAD' ? undefined : obj.body);
        return;
      }
      throw new OssError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    } catch (e) {
      const err = e instanceof OssError ? e : new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.');
      log.status = err.status;
      log.code = err.code;
      if (!res.headersSent) sendError(res, err, requestId, method);
      else res.destroy();
    }
  }

  const server: Server = createServer((req, res) => {
    if (isOffline || (failMode && failMode.left > 0)) {
      const mode = isOffline ? 'drop' : failMode!.mode;
      if (!isOffline) failMode!.left--;
      requests.push({ method: req.method ?? '', bucket: '', key: '', auth: 'anonymous', status: 0, code: mode === 'drop' ? 'DROPPED' : 'InternalError' });
      if (mode === 'drop') {
        req.socket.destroy();
        return;
      }
      sendError(res, new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.'), 'FAULT', req.method ?? 'GET');
      return;
    }
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://localhost:${port}`,
    port,
    objects,
    requests,
    fail(mode, count = 1) {
      failMode = { mode, left: count };
    },
    offline(on) {
      isOffline = on;
    },
    addCredential(c) {
      creds.set(c.accessKeyId, c);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
