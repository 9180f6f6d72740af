import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeIppResponse, encodeIppRequest, IPP_OP } from './ipp';

describe('IPP encoding', () => {
  it('encodes a Get-Job-Attributes request byte for byte (RFC 8010 §3)', () => {
    const b = encodeIppRequest(IPP_OP.getJobAttributes, 7, [
      { tag: 'uri', name: 'printer-uri', values: ['ipp://h/p'] },
      { tag: 'integer', name: 'job-id', values: [42] },
      { tag: 'keyword', name: 'requested-attributes', values: ['a', 'b'] },
    ]);
    const expected = Buffer.concat([
      Buffer.from([1, 1, 0, 9, 0, 0, 0, 7, 0x01]),
      Buffer.from([0x45, 0, 11]), Buffer.from('printer-uri'), Buffer.from([0, 9]), Buffer.from('ipp://h/p'),
      Buffer.from([0x21, 0, 6]), Buffer.from('job-id'), Buffer.from([0, 4, 0, 0, 0, 42]),
      Buffer.from([0x44, 0, 20]), Buffer.from('requested-attributes'), Buffer.from([0, 1]), Buffer.from('a'),
      Buffer.from([0x44, 0, 0, 0, 1]), Buffer.from('b'),
      Buffer.from([0x03]),
    ]);
    expect(b.equals(expected)).toBe(true);
  });

  it('decodes groups, multi-valued attributes, and skips collections', () => {
    const attr = (tag: number, name: string, value: Buffer) => {
      const h = Buffer.alloc(3);
      h.writeUInt8(tag, 0);
      h.writeUInt16BE(name.length, 1);
      const l = Buffer.alloc(2);
      l.writeUInt16BE(value.length, 0);
      return Buffer.concat([h, Buffer.from(name), l, value]);
    };
    const int = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n, 0); return b; };
    const msg = Buffer.concat([
      Buffer.from([1, 1, 0x04, 0x06, 0, 0, 0, 1]),
      Buffer.from([0x04]),
      attr(0x23, 'printer-state', int(5)),
      attr(0x44, 'printer-state-reasons', Buffer.from('paused')),
      attr(0x44, '', Buffer.from('media-empty-error')),
      attr(0x34, 'media-col-default', Buffer.alloc(0)),
      attr(0x4a, '', Buffer.from('media-size')),
      attr(0x34, '', Buffer.alloc(0)),
      attr(0x4a, '', Buffer.from('x-dimension')),
      attr(0x21, '', int(10160)),
      attr(0x37, '', Buffer.alloc(0)),
      attr(0x37, '', Buffer.alloc(0)),
      attr(0x22, 'printer-is-accepting-jobs', Buffer.from([1])),
      Buffer.from([0x03]),
    ]);
    const r = decodeIppResponse(msg);
    expect(r.statusCode).toBe(0x0406);
    expect(r.groups).toEqual([{ tag: 4, attrs: { 'printer-state': [5], 'printer-state-reasons': ['paused', 'media-empty-error'], 'printer-is-accepting-jobs': [true] } }]);
  });

  it('never crashes or hangs on garbage: it throws an Error or returns', () => {
    for (let i = 0; i < 2000; i++) {
      const buf = randomBytes(1 + (i % 64));
      try {
        decodeIppResponse(buf);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
    expect(() => decodeIppResponse(Buffer.from([1, 1, 0, 0, 0, 0, 0, 1, 0x04, 0x44, 0, 50]))).toThrow(/truncated/);
  });
});
