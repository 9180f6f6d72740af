// Plain object access to the operator's OSS bucket for the fleet (heartbeats, summaries, settings,
// backups), through the same ali-oss client and settings as the photo share (share/oss/config.ts),
// but with readable keys under `fleet/` and private ACL: these objects are for the operator only.
import OSS from 'ali-oss';
import { readFile } from 'node:fs/promises';
import { OssShareError } from '../share/oss/ossShare';
import type { OssConfig } from '../share/oss/config';

export interface FleetObject {
  key: string;
  size: number;
  lastModified: string;
}

export interface FleetOss {
  /** Private unless `publicRead` (the update feed: electron-updater fetches it without signing). */
  putBuffer(key: string, body: Buffer, contentType: string, opts?: { publicRead?: boolean }): Promise<void>;
  putFile(key: string, filePath: string, contentType: string): Promise<void>;
  /** The body, or null when there is no such object. */
  get(key: string): Promise<Buffer | null>;
  /** Every object under the prefix (follows continuation tokens), and with a delimiter the "folders". */
  list(prefix: string, opts?: { delimiter?: string }): Promise<{ objects: FleetObject[]; prefixes: string[]; requests: number }>;
  remove(keys: string[]): Promise<void>;
}

interface AliError {
  name?: string;
  code?: string;
  status?: number;
  message?: string;
}

function toError(e: unknown, op: string): OssShareError {
  const a = (e ?? {}) as AliError;
  const code = a.code || a.name || 'NetworkError';
  const status = typeof a.status === 'number' && a.status > 0 ? a.status : null;
  const retryable = !(code === 'InvalidArgument' || code === 'EntityTooLarge' || code === 'InvalidObjectName');
  return new OssShareError(code, `${op}: ${code}${status ? ` (${status})` : ''}: ${String(a.message ?? '').slice(0, 200)}`, status, retryable);
}

export function createFleetOss(config: OssConfig): FleetOss {
  const options: OSS.Options & { sldEnable?: boolean; retryMax?: number } = {
    region: config.region,
    bucket: config.bucket,
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    stsToken: config.stsToken,
    endpoint: config.endpoint,
    secure: config.endpoint ? config.endpoint.startsWith('https:') : true,
    timeout: config.timeoutMs,
    authorizationV4: true,
    sldEnable: config.pathStyle,
    // The fleet outbox owns retries (persistent, with back-off).
    retryMax: 0,
  };
  const client = new OSS(options);
  const headers = (contentType: string, publicRead = false) => ({ 'Content-Type': contentType, 'x-oss-object-acl': publicRead ? 'public-read' : 'private', 'Cache-Control': 'no-store' });

  return {
    async putBuffer(key, body, contentType, opts = {}) {
      try {
        await client.put(key, body, { mime: contentType, headers: headers(contentType, opts.publicRead) });
      } catch (e) {
        throw toError(e, `put ${key}`);
      }
    },
    async putFile(key, filePath, contentType) {
      let body: Buffer;
      try {
        body = await readFile(filePath);
      } catch (e) {
        throw new OssShareError((e as NodeJS.ErrnoException).code ?? 'ENOENT', `cannot read ${filePath}`, null, false);
      }
      await this.putBuffer(key, body, contentType);
    },
    async get(key) {
      try {
        const r = await client.get(key);
        return Buffer.isBuffer(r.content) ? r.content : Buffer.from(r.content as string);
      } catch (e) {
        const a = e as AliError;
        if (a.code === 'NoSuchKey' || a.status === 404) return null;
        throw toError(e, `get ${key}`);
      }
    },
    async list(prefix, opts = {}) {
      const objects: FleetObject[] = [];
      const prefixes: string[] = [];
      let token: string | null = null;
      let requests = 0;
      do {
        const query: Record<string, string | number> = { prefix, 'max-keys': 1000 };
        if (opts.delimiter) query.delimiter = opts.delimiter;
        if (token) query['continuation-token'] = token;
        let r: Awaited<ReturnType<OSS['listV2']>>;
        try {
          r = await client.listV2(query as OSS.ListV2ObjectsQuery, {});
        } catch (e) {
          throw toError(e, `list ${prefix}`);
        }
        requests++;
        for (const o of r.objects ?? []) objects.push({ key: o.name, size: o.size, lastModified: o.lastModified });
        for (const p of r.prefixes ?? []) prefixes.push(p);
        token = r.isTruncated ? ((r as unknown as { nextContinuationToken: string | null }).nextContinuationToken ?? null) : null;
      } while (token);
      return { objects, prefixes, requests };
    },
    async remove(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        try {
          if (chunk.length === 1) await client.delete(chunk[0]!);
          else if (chunk.length > 1) await client.deleteMulti(chunk, { quiet: true });
        } catch (e) {
          throw toError(e, 'delete');
        }
      }
    },
  };
}
