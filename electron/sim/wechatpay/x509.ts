// A minimal DER writer for one self-signed RSA/SHA-256 X.509 v3 certificate.
// Only the simulator needs it (platform-certificate mode); node:crypto can read certificates
// but not make them, and shelling out to openssl would tie the simulator to the host.
import { createSign, randomBytes, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const int = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const nul = () => Buffer.from([0x05, 0x00]);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), nul());

/** Returns { pem, serial } where serial is the 40-hex upper-case serial WeChat uses in Wechatpay-Serial. */
export function selfSignedCertificate(opts: {
  publicKey: KeyObject;
  privateKey: KeyObject;
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
}): { pem: string; serial: string } {
  const serialBytes = randomBytes(20);
  serialBytes[0] = (serialBytes[0]! & 0x7f) | 0x10; // positive, and 20 significant bytes → 40 hex characters
  const notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = opts.notAfter ?? new Date(Date.now() + 5 * 365 * 86400_000);
  const name = seq(set(seq(oid('2.5.4.3'), utf8(opts.commonName))));
  const spki = opts.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    tlv(0xa0, int(Buffer.from([2]))),
    int(serialBytes),
    SHA256_RSA,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    spki,
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(opts.privateKey);
  const der = seq(tbs, SHA256_RSA, bitString(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return { pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`, serial: serialBytes.toString('hex').toUpperCase() };
}
