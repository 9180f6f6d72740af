// A small IPP/1.1 client (RFC 8010 encoding, RFC 8011 operations) for the read-only questions the
// kiosk asks its local CUPS: printer state and state reasons, one job's state, jobs by name.
// Parsing `lpstat` text is locale- and version-dependent and cannot tell "completed" from
// "aborted"; IPP answers exactly. Submitting and admin actions stay with lp / cupsenable, which
// carry the local authentication CUPS wants for them.
import { request } from 'node:http';

export const IPP_OP = {
  getJobAttributes: 0x0009,
  getJobs: 0x000a,
  getPrinterAttributes: 0x000b,
} as const;

const TAG = {
  operation: 0x01,
  job: 0x02,
  end: 0x03,
  printer: 0x04,
  integer: 0x21,
  boolean: 0x22,
  enum: 0x23,
  begCollection: 0x34,
  endCollection: 0x37,
  keyword: 0x44,
  uri: 0x45,
  charset: 0x47,
  naturalLanguage: 0x48,
  name: 0x42,
  text: 0x41,
} as const;

export type IppValue = string | number | boolean | null;
export type IppAttributes = Record<string, IppValue[]>;
export interface IppGroup {
  tag: number;
  attrs: IppAttributes;
}
export interface IppResponse {
  statusCode: number;
  groups: IppGroup[];
}

export type IppOutAttr =
  | { tag: 'keyword' | 'uri' | 'charset' | 'naturalLanguage' | 'name' | 'text'; name: string; values: string[] }
  | { tag: 'integer' | 'enum'; name: string; values: number[] }
  | { tag: 'boolean'; name: string; values: boolean[] };

export function encodeIppRequest(op: number, requestId: number, attrs: IppOutAttr[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(9);
  head.writeUInt8(1, 0); // IPP/1.1: CUPS and every IPP printer speak it
  head.writeUInt8(1, 1);
  head.writeUInt16BE(op, 2);
  head.writeUInt32BE(requestId >>> 0, 4);
  head.writeUInt8(TAG.operation, 8);
  parts.push(head);
  for (const a of attrs) {
    a.values.forEach((v, i) => {
      const name = Buffer.from(i === 0 ? a.name : '', 'utf8');
      let value: Buffer;
      if (a.tag === 'integer' || a.tag === 'enum') {
        value = Buffer.alloc(4);
        value.writeInt32BE(v as number, 0);
      } else if (a.tag === 'boolean') {
        value = Buffer.from([v ? 1 : 0]);
      } else {
        value = Buffer.from(v as string, 'utf8');
      }
      const h = Buffer.alloc(3);
      h.writeUInt8(TAG[a.tag], 0);
      h.writeUInt16BE(name.length, 1);
      const l = Buffer.alloc(2);
      l.writeUInt16BE(value.length, 0);
      parts.push(h, name, l, value);
    });
  }
  parts.push(Buffer.from([TAG.end]));
  return Buffer.concat(parts);
}

/** Decodes a response; collections are skipped (nothing the kiosk reads is a collection). Throws on truncation. */
export function decodeIppResponse(buf: Buffer): IppResponse {
  if (buf.length < 9) throw new Error('IPP response too short');
  const statusCode = buf.readUInt16BE(2);
  const groups: IppGroup[] = [];
  let group: IppGroup | null = null;
  let last: string | null = null;
  let depth = 0;
  let i = 8;
  const need = (n: number): void => {
    if (i + n > buf.length) throw new Error('IPP response truncated');
  };
  while (i < buf.length) {
    const tag = buf.readUInt8(i);
    i += 1;
    if (tag === TAG.end) break;
    if (tag < 0x10) {
      group = { tag, attrs: {} };
      groups.push(group);
      last = null;
      continue;
    }
    need(2);
    const nameLen = buf.readUInt16BE(i);
    i += 2;
    need(nameLen + 2);
    const name = buf.toString('utf8', i, i + nameLen);
    i += nameLen;
    const valueLen = buf.readUInt16BE(i);
    i += 2;
    need(valueLen);
    const raw = buf.subarray(i, i + valueLen);
    i += valueLen;
    if (tag === TAG.begCollection) {
      depth++;
      continue;
    }
    if (tag === TAG.endCollection) {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth > 0 || !group) continue;
    let value: IppValue;
    if ((tag === TAG.integer || tag === TAG.enum) && valueLen === 4) value = raw.readInt32BE(0);
    else if (tag === TAG.boolean && valueLen === 1) value = raw[0] === 1;
    else if (tag >= 0x10 && tag <= 0x1f) value = null; // out-of-band: unknown / no-value
    else if (tag >= 0x40 && tag <= 0x4f) value = raw.toString('utf8');
    else if (tag === 0x35 || tag === 0x36) {
      // text/name with language: 2-byte length + language, then 2-byte length + text.
      const ll = raw.readUInt16BE(0);
      const tl = raw.readUInt16BE(2 + ll);
      value = raw.toString('utf8', 4 + ll, 4 + ll + tl);
    } else value = raw.toString('hex');
    if (nameLen > 0) {
      last = name;
      group.attrs[name] = [value];
    } else if (last) {
      group.attrs[last]!.push(value);
    }
  }
  return { statusCode, groups };
}

export interface IppEndpoint {
  /** e.g. http://localhost:631 (CUPS wants Host: localhost for local requests). */
  baseUrl: string;
  timeoutMs: number;
}

export class IppTransportError extends Error {}

let nextRequestId = 1;

/** POSTs one IPP request to `path` (e.g. /printers/kiosk-pdf) and decodes the answer. */
export function ippCall(ep: IppEndpoint, path: string, op: number, attrs: IppOutAttr[]): Promise<IppResponse> {
  const body = encodeIppRequest(op, nextRequestId++, [
    { tag: 'charset', name: 'attributes-charset', values: ['utf-8'] },
    { tag: 'naturalLanguage', name: 'attributes-natural-language', values: ['en'] },
    ...attrs,
  ]);
  const url = new URL(path, ep.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/ipp', 'content-length': body.length }, timeout: ep.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 8 * 1024 * 1024) req.destroy(new IppTransportError('IPP response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new IppTransportError(`IPP HTTP ${res.statusCode}`));
          try {
            resolve(decodeIppResponse(Buffer.concat(chunks)));
          } catch (e) {
            reject(new IppTransportError((e as Error).message));
          }
        });
        res.on('error', (e) => reject(new IppTransportError(e.message)));
      },
    );
    req.on('timeout', () => req.destroy(new IppTransportError('IPP request timed out')));
    req.on('error', (e) => reject(e instanceof IppTransportError ? e : new IppTransportError(e.message)));
    req.end(body);
  });
}

export const IPP_STATUS_NOT_FOUND = 0x0406;
export const JOB_STATE = { 3: 'pending', 4: 'pending-held', 5: 'processing', 6: 'processing-stopped', 7: 'canceled', 8: 'aborted', 9: 'completed' } as const;
export const PRINTER_STATE = { 3: 'idle', 4: 'processing', 5: 'stopped' } as const;
